// Shared set-up of the inference benches (rank-bench, soak-bench): a run folder and a free port.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { writeTinyLlamaGguf } from '@score/llm-clients';

/** A run folder to serve, the `--llm` spec and extra flags it needs, and how to remove it. */
export interface BenchRun {
  readonly runDir: string;
  readonly llm: string;
  readonly extraFlags: string[];
  readonly cleanup: () => void;
}

/**
 * `run` when given (served with `llm`, default "inprocess"); else a fresh temp folder named after
 * `prefix` with a synthetic dataset (200 users, 400 items) and a tiny GGUF served through llama.cpp.
 */
export async function prepareBenchRun(prefix: string, run: string | undefined, llm: string | undefined): Promise<BenchRun> {
  if (run) return { runDir: run, llm: llm ?? 'inprocess', extraFlags: [], cleanup: () => {} };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const runDir = path.join(root, 'run');
  await saveDataset(await generateSyntheticDataset({ users: 200, items: 400, seed: 7 }), runDir);
  const modelPath = path.join(root, 'tiny-llama.gguf');
  await writeTinyLlamaGguf(modelPath, { seed: 3, contextLength: 4096 });
  return { runDir, llm: llm ?? `llamacpp:${modelPath}`, extraFlags: ['--llm-context', '4096'], cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
