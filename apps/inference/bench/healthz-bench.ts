// Health-probe latency while every scoring worker is busy (issue 18.1): `score-serve` (the real
// entry, a child process) serves a run whose in-process TensorFlow.js LM is large enough that a
// 16-prompt batch takes about a second on one core; this process keeps `--batches` concurrent
// 256-pair POST /v1/score/batch requests in flight and sends GET /healthz every `--interval-ms`
// on a fresh connection from a separate process (as a Kubernetes probe does), then prints p50/p99/max of the probes with
// the workers busy and, before the load, idle.
//
//   npm run bench:healthz -w @score/inference
//   npm run bench:healthz -w @score/inference -- --worker-nice 0     # workers at the event loop's priority
//   npm run bench:healthz -w @score/inference -- --floor             # also the machine's floor
//
// Flags: --seconds N (20, under load), --probes-idle N (50), --interval-ms N (50), --batches N (2),
// --workers N (the server's default: the cores), --worker-nice N (the server's default, 10),
// --floor (then the same probes against a bare node:http server whose worker threads spin at the same
// nice: what this machine's scheduler and the probe path cost without any scoring service).
// The server's own view of the same period is printed too: its event-loop delay (prom-client's
// histogram at 10 ms resolution, so 10 ms is no delay), how long it took to handle each /healthz, and
// the garbage-collection pauses of its main thread (a PerformanceObserver preloaded into the child:
// bench/gc-pauses-preload.mjs).
// Target: p99 < 10 ms while batches run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadDataset } from '@score/data';
import { initTensorflow } from '@score/tfjs-runtime';
import { writeRecStage } from '../src/test-fixtures/rec-stage';
import { createTestRun } from '../src/test-fixtures/test-run';
import { freePort, percentile, startScoreServe } from './bench-run';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    'probes-idle': { type: 'string', default: '50' },
    'interval-ms': { type: 'string', default: '50' },
    batches: { type: 'string', default: '2' },
    workers: { type: 'string' },
    'worker-nice': { type: 'string' },
    floor: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const intervalMs = Number(values['interval-ms']);
const concurrentBatches = Number(values.batches);
for (const [name, value] of [['--seconds', seconds], ['--interval-ms', intervalMs], ['--batches', concurrentBatches], ['--probes-idle', Number(values['probes-idle'])]] as const) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${value}".`);
}

/**
 * `count` probes from a separate process (bench/healthz-probe-client.ts), as a kubelet probes from
 * outside the server and this process is busy sending batches; ascending milliseconds. The first
 * `warmup` probes (connection set-up paths still being compiled) are sent but not counted.
 */
async function probeSeries(url: string, count: number, warmup = 0): Promise<number[]> {
  const client = fileURLToPath(new URL('./healthz-probe-client.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', client, url, String(count + warmup), String(intervalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the probe client exited with code ${code}`);
  const { times } = JSON.parse(output) as { times: number[] };
  return times.slice(warmup).sort((a, b) => a - b);
}

/** Samples of `name` (a Prometheus metric, labels included) in the server's GET /metrics text. */
async function readMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const describe = (times: readonly number[]) =>
  `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (${times.length} probes)`;

/** The probes against healthz-floor-server.ts with `workers` spinning threads at `nice`. */
async function measureFloor(workers: number, nice: number, count: number): Promise<number[]> {
  const script = fileURLToPath(new URL('./healthz-floor-server.ts', import.meta.url));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port), String(workers), String(nice)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => String(chunk).includes('listening') && resolve());
      child.on('exit', (code) => reject(new Error(`the floor server exited with code ${code}`)));
    });
    return await probeSeries(`http://127.0.0.1:${port}`, count, 5);
  } finally {
    child.kill('SIGKILL');
  }
}

await initTensorflow();
const run = await createTestRun();
try {
  await writeRecStage(run.runDir, { hiddenSize: 64, intermediateSize: 128, numLayers: 2 });
  const dataset = await loadDataset(run.runDir);
  const items = [...dataset.items.keys()];
  const requests = Array.from({ length: 256 }, (_, index) => ({ userId: dataset.users[index % dataset.users.length]!, itemId: items[(index * 7) % items.length]! }));
  const flags = ['--timeout-ms', '600000', '--log-level', 'warn'];
  if (values.workers !== undefined) flags.push('--workers', values.workers);
  if (values['worker-nice'] !== undefined) flags.push('--worker-nice', values['worker-nice']);
  const gcLog = path.join(run.runDir, 'gc-pauses.json');
  const preload = new URL('./gc-pauses-preload.mjs', import.meta.url).href;
  const server = await startScoreServe(run.runDir, 'inprocess', flags, { nodeArgs: ['--import', preload], env: { SCORE_BENCH_GC_LOG: gcLog } });
  let busyWindow: [number, number] | undefined;
  try {
    const idle = await probeSeries(server.url, Number(values['probes-idle']), 5);
    let stop = false;
    let batches = 0;
    const loop = async () => {
      while (!stop) {
        const response = await fetch(`${server.url}/v1/score/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
        if (response.status !== 200) throw new Error(`/v1/score/batch answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
        await response.arrayBuffer();
        batches += 1;
      }
    };
    const loops = Array.from({ length: concurrentBatches }, loop);
    // Let the first batches reach the workers.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const loadStart = os.loadavg()[0]!;
    // Reading /metrics resets the server's event-loop delay histogram (prom-client), so the next read
    // covers the probes under load; the healthz latency histogram is cumulative: take the difference.
    const before = await readMetrics(server.url);
    const busyStart = Date.now();
    const busy = await probeSeries(server.url, Math.max(1, Math.round((seconds * 1000) / (intervalMs + 2))));
    busyWindow = [busyStart, Date.now()];
    const after = await readMetrics(server.url);
    stop = true;
    await Promise.all(loops);
    console.log(`healthz, idle server: ${describe(idle)}`);
    console.log(`healthz, ${concurrentBatches} concurrent 256-pair batches in flight (${batches} answered): ${describe(busy)}`);
    const healthz = (bucket: string) => {
      const key = `score_http_request_duration_seconds_bucket{le="${bucket}",method="GET",route="/healthz",status="200"}`;
      return (after.get(key) ?? 0) - (before.get(key) ?? 0);
    };
    const handled = healthz('+Inf');
    console.log(
      `server side, same period: event-loop delay p99 ${((after.get('score_nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000).toFixed(1)} ms, max ${((after.get('score_nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000).toFixed(1)} ms; /healthz handled within 1 ms: ${healthz('0.001')} of ${handled}, within 10 ms: ${healthz('0.01')} of ${handled}`,
    );
    console.log(`target p99 < 10 ms while batches run: ${percentile(busy, 99) < 10 ? 'met' : 'MISSED'}`);
    console.log(`server: --workers ${values.workers ?? `default (${os.availableParallelism()})`}, --worker-nice ${values['worker-nice'] ?? 'default (10)'}; load average ${loadStart.toFixed(2)} at the start of the probes, ${os.loadavg()[0]!.toFixed(2)} at the end; ${os.availableParallelism()} cores`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  if (busyWindow) {
    // The server's main-thread GC pauses that began while the probes ran under load.
    const [from, to] = busyWindow;
    const { pauses } = JSON.parse(fs.readFileSync(gcLog, 'utf8')) as { pauses: [number, number, string][] };
    const during = pauses.filter(([at]) => at >= from && at <= to);
    const total = during.reduce((sum, [, duration]) => sum + duration, 0);
    const max = during.reduce((most, [, duration]) => Math.max(most, duration), 0);
    const byKind = new Map<string, number>();
    for (const [, , kind] of during) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    console.log(
      `server main-thread GC, same period: ${during.length} pauses (${[...byKind].map(([kind, count]) => `${count} ${kind}`).join(', ') || 'none'}), total ${total.toFixed(1)} ms (${((total / (to - from)) * 100).toFixed(2)}% of ${((to - from) / 1000).toFixed(1)} s), max ${max.toFixed(1)} ms, over 5 ms: ${during.filter(([, duration]) => duration > 5).length}`,
    );
  }
  if (values.floor) {
    const workers = values.workers === undefined ? os.availableParallelism() : Number(values.workers);
    const nice = values['worker-nice'] === undefined ? 10 : Number(values['worker-nice']);
    const floor = await measureFloor(workers, nice, Math.max(1, Math.round((seconds * 1000) / (intervalMs + 2))));
    console.log(`floor: a bare node:http server with ${workers} threads spinning at nice ${nice}: ${describe(floor)}`);
  }
} finally {
  run.remove();
}
