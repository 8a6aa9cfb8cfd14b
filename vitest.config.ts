import { defineConfig } from 'vitest/config';

const reportFile = process.env['SCORE_TEST_REPORT'];

export default defineConfig({
  test: {
    projects: ['libs/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'examples/vitest.config.ts', 'docs/vitest.config.ts'],
    reporters: reportFile ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
    // Two cores: at most two test files at once.
    maxWorkers: 2,
  },
});
