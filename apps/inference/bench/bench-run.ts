// Shared set-up of the inference benches (load-bench, rank-bench, soak-bench, healthz-bench): a run folder, a free
// port, the score-serve child process, percentiles.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';

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

/** A `score-serve` child process started by {@link startScoreServe}. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Resolves with the exit code (128 when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Extra settings of the child of {@link startScoreServe}. */
export interface ScoreServeChildOptions {
  /** Node options put before the entry (after `SCORE_SERVE_NODE_ARGS`). @defaultValue none */
  readonly nodeArgs?: readonly string[];
  /** Variables added to the child's environment. @defaultValue none */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts the real `score-serve` entry (src/main.ts through tsx) on 127.0.0.1 and a free port with
 * `flags` after `--run`, `--llm`, `--host` and `--port`, and waits until /readyz answers 200 (at most
 * 10 minutes). The child's stderr goes to this process's stderr.
 */
export async function startScoreServe(runDir: string, llm: string, flags: readonly string[], options: ScoreServeChildOptions = {}): Promise<ServeProcess> {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const port = await freePort();
  const nodeArgs = [...(process.env['SCORE_SERVE_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, '--conditions=@score/source', '--import', 'tsx', main, '--run', runDir, '--llm', llm, '--host', '127.0.0.1', '--port', String(port), ...flags], {
    stdio: ['ignore', 'ignore', 'inherit'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve((exitCode = signal ? 128 : code))));
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 600_000;
  while (performance.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`score-serve exited with code ${exitCode} before it was ready.`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url, exited };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('score-serve was not ready within 10 minutes.');
}

/** The p-th percentile (0-100, nearest rank) of ascending `sorted` samples; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
