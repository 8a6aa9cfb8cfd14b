// Load benchmark of `score-serve` (issue 8): p50/p99 latency, throughput and errors of
// POST /v1/score at concurrency 1, 8 and 32, then the server's RSS over 10,000 requests.
//
//   npm run bench -w @score/inference                          # builds a small synthetic run + tiny GGUF
//   npm run bench -w @score/inference -- --run runs/demo --llm inprocess
//
// Flags: --run DIR, --llm SPEC, --requests N (per level, 2000), --levels 1,8,32, --max-seconds S
// (per level, 120), --rss-requests N (10000), --rss-concurrency C (8), --rss-max-seconds S (1200),
// --llm-threads N (1).
//
// The server runs as a child process (the real `score-serve` entry), so RSS is the server's alone,
// read from /proc/<pid>/status. Loopback only; every phase is bounded by a request count and a time.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '@score/data';
import { prepareBenchRun, startScoreServe } from './bench-run';

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance {
  on(event: 'response', listener: () => void): void;
  stop(): void;
}
type Autocannon = (options: Record<string, unknown>, callback: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    llm: { type: 'string' },
    requests: { type: 'string', default: '2000' },
    'rss-requests': { type: 'string', default: '10000' },
    'rss-concurrency': { type: 'string', default: '8' },
    'max-seconds': { type: 'string', default: '120' },
    'rss-max-seconds': { type: 'string', default: '1200' },
    levels: { type: 'string', default: '1,8,32' },
    'llm-threads': { type: 'string', default: '1' },
  },
});
const requestsPerLevel = Number(values.requests);
const rssRequests = Number(values['rss-requests']);
const maxSeconds = Number(values['max-seconds']);
const rssMaxSeconds = Number(values['rss-max-seconds']);
const levels = values.levels!.split(',').filter((level) => level.trim().length > 0).map(Number);

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`No VmRSS in /proc/${pid}/status.`);
  return Number(match[1]) / 1024;
}

function load(url: string, bodies: readonly string[], connections: number, amount: number, seconds: number, onResponse?: (done: number) => void): Promise<AutocannonResult> {
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        amount,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/v1/score',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request: Record<string, unknown>) => ({ ...request, body: bodies[next++ % bodies.length] }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', () => onResponse?.(++done));
    setTimeout(() => instance.stop(), seconds * 1000).unref();
  });
}

const { runDir, llm, extraFlags, cleanup } = await prepareBenchRun('score-load-bench-', values.run, values.llm);
// Trainer run folders keep the dataset in <run>/prepare/dataset; a bare saveDataset folder in <run>/dataset.
const dataset = await loadDataset(fs.existsSync(path.join(runDir, 'prepare', 'dataset')) ? path.join(runDir, 'prepare') : runDir);
const bodies = dataset.split('test').map((row) => JSON.stringify({ userId: row.userId, itemId: row.itemId }));
console.log(`run ${runDir}: ${dataset.users.length} users, ${dataset.items.size} items, ${bodies.length} test pairs; llm ${llm}`);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
const { child, url, exited } = await startScoreServe(runDir, llm, ['--llm-threads', values['llm-threads']!, ...extraFlags]);
try {
  await load(url, bodies, 4, 200, maxSeconds); // warm-up: loads code paths and fills the retrieval cache
  console.log('\nconcurrency  requests  p50 ms  p99 ms  mean ms  req/s   errors');
  for (const connections of levels) {
    const result = await load(url, bodies, connections, requestsPerLevel, maxSeconds);
    const errors = result.errors + result.timeouts + result.non2xx;
    console.log(
      `${String(connections).padStart(11)}  ${String(result.requests.total).padStart(8)}  ${result.latency.p50.toFixed(1).padStart(6)}  ${result.latency.p99.toFixed(1).padStart(6)}  ${result.latency.average.toFixed(1).padStart(7)}  ${result.requests.average.toFixed(1).padStart(6)}  ${String(errors).padStart(6)}`,
    );
  }
  const samples = new Map<number, number>();
  const marks = [1_000, Math.round(rssRequests / 2), rssRequests];
  const result = await load(url, bodies, Number(values['rss-concurrency']), rssRequests, rssMaxSeconds, (done) => {
    if (marks.includes(done)) samples.set(done, rssMiB(child.pid!));
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  console.log(`\nRSS over ${result.requests.total} requests at concurrency ${values['rss-concurrency']} (errors ${errors}):`);
  for (const [done, rss] of samples) console.log(`  after ${String(done).padStart(6)} requests: ${rss.toFixed(1)} MiB`);
  const first = samples.get(1_000);
  const last = samples.get(rssRequests);
  if (first !== undefined && last !== undefined) console.log(`  ratio ${rssRequests} / 1000: ${(last / first).toFixed(3)}`);
} finally {
  child.kill('SIGTERM');
  await exited;
  cleanup();
}
