import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startModuleWorker } from './module-worker';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-worker-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function reply(file: string, body: string): Promise<unknown> {
  fs.writeFileSync(path.join(dir, file), body);
  const worker = startModuleWorker(pathToFileURL(path.join(dir, file)), { n: 20 });
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => void worker.terminate().then(() => resolve(message)));
    worker.once('error', reject);
  });
}

describe('startModuleWorker', () => {
  it('runs a built module with the worker data', async () => {
    const body = "import { parentPort, workerData } from 'node:worker_threads';\nparentPort.postMessage(workerData.n + 1);\n";
    expect(await reply('plain.mjs', body)).toBe(21);
  });

  it('runs a TypeScript source through tsx', async () => {
    const body = "import { parentPort, workerData } from 'node:worker_threads';\nconst data = workerData as { n: number };\nconst double = (value: number): number => value * 2;\nparentPort!.postMessage(double(data.n));\n";
    expect(await reply('typed.ts', body)).toBe(40);
  });
});
