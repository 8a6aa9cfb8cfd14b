// Soak benchmark of `score-serve` (issue 18.10): 32 clients on 127.0.0.1 send a mix of valid and
// invalid requests for a bounded time; it prints server crashes, wrong statuses (each request kind
// has one right status), connection errors, the server's RSS growth and p50/p99 latencies.
//
//   npm run bench:soak -w @score/inference                       # 10 minutes on a small synthetic run
//   npm run bench:soak -w @score/inference -- --duration 2m      # shorter
//   npm run bench:soak -w @score/inference -- --run runs/demo --llm inprocess
//
// Flags: --duration D (600s; "120", "120s", "2m"), --clients N (32), --run DIR, --llm SPEC,
// --workers N (the server's default), --llm-threads N (1), --warmup-fraction F (0.1: RSS growth is
// measured from the end of the warm-up to the end).
// The server runs as a child process (the real `score-serve` entry) listening on 127.0.0.1 only;
// RSS is read from /proc/<pid>/status. Exits 1 when the server crashed, a status was wrong, a
// connection failed or RSS grew 10% or more.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '@score/data';
import { percentile, prepareBenchRun, startScoreServe, type ServeProcess } from './bench-run';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    clients: { type: 'string', default: '32' },
    run: { type: 'string' },
    llm: { type: 'string' },
    workers: { type: 'string' },
    'llm-threads': { type: 'string', default: '1' },
    'warmup-fraction': { type: 'string', default: '0.1' },
  },
});

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration must be seconds ("120", "120s") or minutes ("2m"), got "${text}".`);
  const seconds = Number(match[1]) * (match[2] === 'm' ? 60 : 1);
  if (seconds <= 0 || seconds > 24 * 3600) throw new Error(`--duration must be from 1 s to 24 h, got "${text}".`);
  return seconds;
}
const durationSeconds = parseDuration(values.duration!);
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 1 || clients > 1024) throw new Error(`--clients must be an integer from 1 to 1024, got "${values.clients}".`);
const warmupFraction = Number(values['warmup-fraction']);
const BODY_LIMIT = 65_536;

/** Starts score-serve at warn level (no per-request log lines) and waits until /readyz answers 200. */
function startServer(runDir: string, llm: string, extraFlags: string[]): Promise<ServeProcess> {
  const workers = values.workers === undefined ? [] : ['--workers', values.workers];
  return startScoreServe(runDir, llm, ['--llm-threads', values['llm-threads']!, '--body-limit', String(BODY_LIMIT), '--timeout-ms', '30000', '--log-level', 'warn', ...workers, ...extraFlags]);
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`No VmRSS in /proc/${pid}/status.`);
  return Number(match[1]) / 1024;
}

/** One kind of request: how often it is sent, how it is built, and the one right status. */
interface RequestKind {
  readonly name: string;
  readonly weight: number;
  readonly expected: number;
  readonly build: (pick: <T>(values: readonly T[]) => T) => { method: 'GET' | 'POST'; path: string; body?: string; contentType?: string };
}


const { runDir, llm, extraFlags, cleanup } = await prepareBenchRun('score-soak-bench-', values.run, values.llm);
const dataset = await loadDataset(fs.existsSync(path.join(runDir, 'prepare', 'dataset')) ? path.join(runDir, 'prepare') : runDir);
const pairs = dataset.split('test').map((row) => ({ userId: row.userId, itemId: row.itemId }));
const users = dataset.users.filter((user) => dataset.positives(user).length > 0);
const itemIds = [...dataset.items.keys()];
const json = (value: unknown) => JSON.stringify(value);

const kinds: RequestKind[] = [
  { name: 'score by user', weight: 35, expected: 200, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json(pick(pairs)) }) },
  { name: 'score by history', weight: 8, expected: 200, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ history: dataset.positives(pick(users)).slice(-5), itemId: pick(itemIds) }) }) },
  { name: 'score inline item', weight: 4, expected: 200, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ userId: pick(users), item: { title: `New item ${pick(itemIds)}` } }) }) },
  { name: 'batch of 4', weight: 5, expected: 200, build: (pick) => ({ method: 'POST', path: '/v1/score/batch', body: json({ requests: [pick(pairs), pick(pairs), pick(pairs), pick(pairs)] }) }) },
  { name: 'retrieve', weight: 5, expected: 200, build: (pick) => ({ method: 'POST', path: '/v1/retrieve', body: json(pick(pairs)) }) },
  { name: 'rank 20 candidates', weight: 2, expected: 200, build: (pick) => ({ method: 'POST', path: '/v1/rank', body: json({ userId: pick(users), itemIds: Array.from({ length: 20 }, () => pick(itemIds)), topK: 5 }) }) },
  { name: 'metrics', weight: 1, expected: 200, build: () => ({ method: 'GET', path: '/metrics' }) },
  { name: 'rank without candidates', weight: 1, expected: 400, build: (pick) => ({ method: 'POST', path: '/v1/rank', body: json({ userId: pick(users) }) }) },
  { name: 'item', weight: 4, expected: 200, build: (pick) => ({ method: 'GET', path: `/v1/items/${encodeURIComponent(pick(itemIds))}` }) },
  { name: 'healthz', weight: 4, expected: 200, build: () => ({ method: 'GET', path: '/healthz' }) },
  { name: 'readyz', weight: 2, expected: 200, build: () => ({ method: 'GET', path: '/readyz' }) },
  { name: 'broken JSON', weight: 4, expected: 400, build: () => ({ method: 'POST', path: '/v1/score', body: '{"userId": "1", "itemId":' }) },
  { name: 'unknown field', weight: 4, expected: 400, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ ...pick(pairs), extra: 1 }) }) },
  { name: 'user and history', weight: 3, expected: 400, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ ...pick(pairs), history: [pick(itemIds)] }) }) },
  { name: 'ks out of range', weight: 2, expected: 400, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ ...pick(pairs), ks: 99 }) }) },
  { name: 'empty batch', weight: 2, expected: 400, build: () => ({ method: 'POST', path: '/v1/score/batch', body: json({ requests: [] }) }) },
  { name: 'unknown user', weight: 4, expected: 404, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ userId: `nobody-${Math.random()}`, itemId: pick(itemIds) }) }) },
  { name: 'unknown history item', weight: 3, expected: 404, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ history: ['missing-item'], itemId: pick(itemIds) }) }) },
  { name: 'unknown catalogue item', weight: 2, expected: 404, build: () => ({ method: 'GET', path: '/v1/items/missing-item' }) },
  { name: 'unknown route', weight: 2, expected: 404, build: () => ({ method: 'POST', path: '/v2/score', body: '{}' }) },
  { name: 'body too large', weight: 3, expected: 413, build: (pick) => ({ method: 'POST', path: '/v1/score', body: json({ ...pick(pairs), padding: 'x'.repeat(BODY_LIMIT + 1000) }) }) },
];
const totalWeight = kinds.reduce((sum, kind) => sum + kind.weight, 0);
let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const pickKind = (): RequestKind => {
  let roll = random() * totalWeight;
  for (const kind of kinds) if ((roll -= kind.weight) < 0) return kind;
  return kinds[0]!;
};

console.log(`run ${runDir}: ${dataset.users.length} users, ${dataset.items.size} items; llm ${llm}`);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); ${clients} clients on 127.0.0.1 for ${durationSeconds} s`);
const { child, url, exited } = await startServer(runDir, llm, extraFlags);
let crashed = false;
void exited.then(() => (crashed = true));

const latencies: number[] = [];
const okScoreLatencies: number[] = [];
const healthLatencies: number[] = [];
const wrong = new Map<string, number>();
const connectionErrors = new Map<string, number>();
const counts = new Map<string, number>();
const rss: { at: number; mib: number }[] = [];
const start = performance.now();
const end = start + durationSeconds * 1000;
const sampler = setInterval(() => {
  if (!crashed) rss.push({ at: (performance.now() - start) / 1000, mib: rssMiB(child.pid!) });
}, 2000);

async function client(): Promise<void> {
  while (performance.now() < end && !crashed) {
    const kind = pickKind();
    const request = kind.build(pick);
    const sent = performance.now();
    try {
      const response = await fetch(`${url}${request.path}`, {
        method: request.method,
        ...(request.body === undefined ? {} : { body: request.body, headers: { 'content-type': request.contentType ?? 'application/json' } }),
        signal: AbortSignal.timeout(60_000),
      });
      await response.arrayBuffer();
      const ms = performance.now() - sent;
      latencies.push(ms);
      if (kind.name === 'score by user' && response.status === 200) okScoreLatencies.push(ms);
      if (kind.name === 'healthz') healthLatencies.push(ms);
      counts.set(kind.name, (counts.get(kind.name) ?? 0) + 1);
      if (response.status !== kind.expected) {
        const key = `${kind.name}: ${response.status} (expected ${kind.expected})`;
        wrong.set(key, (wrong.get(key) ?? 0) + 1);
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const key = `${kind.name}: ${cause?.code ?? (error as Error).name}`;
      connectionErrors.set(key, (connectionErrors.get(key) ?? 0) + 1);
    }
  }
}

try {
  const progress = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    console.log(`  ${elapsed.toFixed(0)} s: ${latencies.length} answers, RSS ${rss.at(-1)?.mib.toFixed(1) ?? '?'} MiB`);
  }, 30_000);
  await Promise.all(Array.from({ length: clients }, () => client()));
  clearInterval(progress);
} finally {
  clearInterval(sampler);
}

const elapsed = (performance.now() - start) / 1000;
const sorted = [...latencies].sort((a, b) => a - b);
const sortedScore = [...okScoreLatencies].sort((a, b) => a - b);
const warmupEnd = durationSeconds * warmupFraction;
const median = (list: readonly number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
// Medians of the first and last 5 samples after the warm-up, so one GC spike does not decide.
const afterWarmup = rss.filter((sample) => sample.at >= warmupEnd);
const rssStart = median(afterWarmup.slice(0, 5).map((sample) => sample.mib));
const rssEnd = median(afterWarmup.slice(-5).map((sample) => sample.mib));
const growth = ((rssEnd - rssStart) / rssStart) * 100;
const sum = (map: Map<string, number>) => [...map.values()].reduce((total, value) => total + value, 0);

console.log(`\nsoak: ${latencies.length} answers in ${elapsed.toFixed(1)} s (${(latencies.length / elapsed).toFixed(1)} req/s), ${clients} clients`);
console.log(`requests by kind: ${[...counts].map(([name, count]) => `${name} ${count}`).join(', ')}`);
console.log(`crashes: ${crashed ? 1 : 0}`);
console.log(`wrong statuses: ${sum(wrong)}${wrong.size ? ` (${[...wrong].map(([key, count]) => `${key} ×${count}`).join('; ')})` : ''}`);
console.log(`connection errors: ${sum(connectionErrors)}${connectionErrors.size ? ` (${[...connectionErrors].map(([key, count]) => `${key} ×${count}`).join('; ')})` : ''}`);
console.log(`latency, all answers: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`);
console.log(`latency, POST /v1/score 200: p50 ${percentile(sortedScore, 50).toFixed(1)} ms, p99 ${percentile(sortedScore, 99).toFixed(1)} ms (${sortedScore.length} answers)`);
const sortedHealth = [...healthLatencies].sort((a, b) => a - b);
console.log(`latency, GET /healthz: p50 ${percentile(sortedHealth, 50).toFixed(1)} ms, p99 ${percentile(sortedHealth, 99).toFixed(1)} ms (${sortedHealth.length} answers)`);
console.log(`RSS: ${rssStart.toFixed(1)} MiB after the warm-up (${warmupEnd.toFixed(0)} s), ${rssEnd.toFixed(1)} MiB at the end: growth ${growth.toFixed(1)}% (max ${Math.max(...rss.map((sample) => sample.mib)).toFixed(1)} MiB)`);
const failed = crashed || sum(wrong) > 0 || sum(connectionErrors) > 0 || !(growth < 10);
console.log(failed ? 'FAIL: crashes, wrong statuses, connection errors or RSS growth >= 10%' : 'PASS: 0 crashes, 0 wrong statuses, 0 connection errors, RSS growth < 10%');

if (!crashed) {
  child.kill('SIGTERM');
  await exited;
}
cleanup();
process.exitCode = failed ? 1 : 0;
