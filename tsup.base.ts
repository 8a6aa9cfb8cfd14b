import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every @score library builds with.
 * ESM only (see the root README, "Module format"), one bundled entry, declarations,
 * and every dependency (including other @score packages) left external.
 */
export function libraryConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    external: [/^@score\//],
    ...overrides,
  });
}
