import path from 'node:path';
import { defineProject } from 'vitest/config';

/**
 * Shared vitest settings for one project (a library or an app).
 * Workspace packages resolve to their TypeScript sources through the `@score/source`
 * export condition, so tests never need a build first.
 */
export function projectConfig(projectRoot: string) {
  const name = path.basename(projectRoot);
  const conditions = ['@score/source', 'node', 'import', 'module', 'default'];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@score/source'] } },
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
