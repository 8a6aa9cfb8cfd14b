// Ranking benchmark of `score-serve` (issue 21.2): 100 candidates for one user, as one
// POST /v1/rank against 100 separate POST /v1/score calls sent at once; p50 and p99 of each.
//
//   npm run bench:rank -w @score/inference                        # small synthetic run + tiny GGUF
//   npm run bench:rank -w @score/inference -- --run runs/demo --llm inprocess --repeats 30
//
// Flags: --run DIR, --llm SPEC, --candidates N (100), --repeats N (20), --workers N (server default),
// --llm-threads N (1). The server is the real `score-serve` entry in a child process on 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '@score/data';
import { percentile as percentileOfSorted, prepareBenchRun, startScoreServe, type ServeProcess } from './bench-run';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    llm: { type: 'string' },
    candidates: { type: 'string', default: '100' },
    repeats: { type: 'string', default: '20' },
    workers: { type: 'string' },
    'llm-threads': { type: 'string', default: '1' },
  },
});
const candidatesPerUser = Number(values.candidates);
const repeats = Number(values.repeats);

function startServer(runDir: string, llm: string, extraFlags: string[]): Promise<ServeProcess> {
  const workers = values.workers === undefined ? [] : ['--workers', values.workers];
  return startScoreServe(runDir, llm, ['--llm-threads', values['llm-threads']!, '--timeout-ms', '120000', '--log-level', 'error', ...workers, ...extraFlags]);
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed: unknown = await response.json();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(parsed).slice(0, 300)}`);
  return parsed;
}

const percentile = (values: readonly number[], p: number) => percentileOfSorted([...values].sort((a, b) => a - b), p);

const { runDir, llm, extraFlags, cleanup } = await prepareBenchRun('score-rank-bench-', values.run, values.llm);
const dataset = await loadDataset(fs.existsSync(path.join(runDir, 'prepare', 'dataset')) ? path.join(runDir, 'prepare') : runDir);
const itemIds = [...dataset.items.keys()];
const users = dataset.users.filter((user) => dataset.positives(user).length > 0);
console.log(`run ${runDir}: ${dataset.users.length} users, ${dataset.items.size} items; llm ${llm}`);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); ${candidatesPerUser} candidates per user, ${repeats} repeats`);
const { child, url } = await startServer(runDir, llm, extraFlags);
try {
  const candidatesOf = (repeat: number) => Array.from({ length: candidatesPerUser }, (_, index) => itemIds[(repeat * 37 + index) % itemIds.length]!);
  // Warm-up: code paths, and llama.cpp's first evaluation.
  await post(`${url}/v1/rank`, { userId: users[0], itemIds: candidatesOf(0).slice(0, 8) });
  const rank: number[] = [];
  const separate: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    // Different users for the two paths, so neither finds the other's retrieval in the cache.
    const rankUser = users[(2 * repeat + 1) % users.length];
    const scoreUser = users[(2 * repeat + 2) % users.length];
    let start = performance.now();
    await post(`${url}/v1/rank`, { userId: rankUser, itemIds: candidatesOf(repeat) });
    rank.push(performance.now() - start);
    start = performance.now();
    await Promise.all(candidatesOf(repeat).map((itemId) => post(`${url}/v1/score`, { userId: scoreUser, itemId })));
    separate.push(performance.now() - start);
  }
  console.log(`\n${candidatesPerUser} candidates for one user      p50 ms   p99 ms`);
  console.log(`one POST /v1/rank                  ${percentile(rank, 50).toFixed(0).padStart(7)}  ${percentile(rank, 99).toFixed(0).padStart(7)}`);
  console.log(`${candidatesPerUser} POST /v1/score at once        ${percentile(separate, 50).toFixed(0).padStart(7)}  ${percentile(separate, 99).toFixed(0).padStart(7)}`);
  console.log(`speed-up (p50)                     ${(percentile(separate, 50) / percentile(rank, 50)).toFixed(2)}x`);
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  cleanup();
}
