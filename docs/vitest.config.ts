import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    root: import.meta.dirname,
    include: ['site.test.ts', 'readme-api.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 420_000,
    pool: 'forks',
  },
});
