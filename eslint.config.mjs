import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/tmp/**', '**/runs/**', '**/.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // The interfaces package depends on nothing; every layer only on lower ones.
            { sourceTag: 'layer:0', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:1', onlyDependOnLibsWithTags: ['layer:0'] },
            { sourceTag: 'layer:2', onlyDependOnLibsWithTags: ['layer:0', 'layer:1'] },
            { sourceTag: 'layer:3', onlyDependOnLibsWithTags: ['layer:0', 'layer:1', 'layer:2'] },
            { sourceTag: 'layer:4', onlyDependOnLibsWithTags: ['layer:0', 'layer:1', 'layer:2', 'layer:3'] },
            { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:0', 'layer:1', 'layer:2', 'layer:3', 'layer:4'] },
            // examples/ use everything, apps included, the way another team would.
            { sourceTag: 'layer:examples', onlyDependOnLibsWithTags: ['layer:0', 'layer:1', 'layer:2', 'layer:3', 'layer:4', 'layer:app'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
