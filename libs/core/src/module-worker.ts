import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * Starts a `worker_threads` worker running the module `entry` with `workerData`. A built module
 * (`.js`) is started as it is; a TypeScript source (`.ts`: the repository, tests, benches) is loaded
 * through tsx with the `@score/source` export condition, so a package's workers run from its
 * sources without a build. Used by rec-lm's scoring threads and score-serve's worker pool.
 */
export function startModuleWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  // The ESM build of tsx's API (require.resolve finds the CommonJS one).
  const tsx = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, workerData, execArgv: ['--conditions=@score/source'] });
}
