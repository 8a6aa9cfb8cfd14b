import path from 'node:path';
import { defineProject } from 'vitest/config';

/**
 * Shared vitest settings for one project (a library or an app).
 * Workspace packages resolve to their TypeScript sources through the `@score/source`
 * export condition, so tests never need a build first.
 */
export function projectConfig(projectRoot: string) {
  const name = path.basename(projectRoot);
  return defineProject({
    // Vite's own defaults ('module', 'node', 'development|production') plus ours, first.
    resolve: { conditions: ['@score/source', 'module', 'browser', 'development|production'] },
    ssr: { resolve: { conditions: ['@score/source', 'module', 'node', 'development|production'] } },
    test: {
      name,
      root: projectRoot,
      include: ['src/**/*.test.ts'],
      environment: 'node',
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
    },
  });
}
