// Health-probe latency while every scoring worker is busy (issue 18.1): `score-serve` (the real
// entry, a child process) serves a run whose in-process TensorFlow.js LM is large enough that a
// 16-prompt batch takes about a second on one core; this process keeps `--batches` concurrent
// 256-pair POST /v1/score/batch requests in flight and sends GET /healthz every `--interval-ms`
// on a fresh connection (as a Kubernetes probe does), then prints p50/p99/max of the probes with
// the workers busy and, before the load, idle.
//
//   npm run bench:healthz -w @score/inference
//   npm run bench:healthz -w @score/inference -- --worker-nice 0     # workers at the event loop's priority
//
// Flags: --seconds N (20, under load), --probes-idle N (50), --interval-ms N (50), --batches N (2),
// --workers N (the server's default: the cores), --worker-nice N (the server's default, 10).
// Target: p99 < 10 ms while batches run.
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadDataset } from '@score/data';
import { initTensorflow } from '@score/tfjs-runtime';
import { writeRecStage } from '../src/test-fixtures/rec-stage';
import { createTestRun } from '../src/test-fixtures/test-run';
import { percentile, startScoreServe } from './bench-run';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    'probes-idle': { type: 'string', default: '50' },
    'interval-ms': { type: 'string', default: '50' },
    batches: { type: 'string', default: '2' },
    workers: { type: 'string' },
    'worker-nice': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const intervalMs = Number(values['interval-ms']);
const concurrentBatches = Number(values.batches);
for (const [name, value] of [['--seconds', seconds], ['--interval-ms', intervalMs], ['--batches', concurrentBatches], ['--probes-idle', Number(values['probes-idle'])]] as const) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${value}".`);
}

/** One GET /healthz on a new connection; milliseconds until the whole answer arrived. */
function probe(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/healthz`, { agent: false, headers: { connection: 'close' } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`/healthz answered ${response.statusCode}`))));
    });
    request.on('error', reject);
  });
}

async function probeSeries(url: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    times.push(await probe(url));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return times.sort((a, b) => a - b);
}

const describe = (times: readonly number[]) =>
  `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (${times.length} probes)`;

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
  const server = await startScoreServe(run.runDir, 'inprocess', flags);
  try {
    const idle = await probeSeries(server.url, Number(values['probes-idle']));
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
    const busy = await probeSeries(server.url, Math.max(1, Math.round((seconds * 1000) / (intervalMs + 2))));
    stop = true;
    await Promise.all(loops);
    console.log(`healthz, idle server: ${describe(idle)}`);
    console.log(`healthz, ${concurrentBatches} concurrent 256-pair batches in flight (${batches} answered): ${describe(busy)}`);
    console.log(`target p99 < 10 ms while batches run: ${percentile(busy, 99) < 10 ? 'met' : 'MISSED'}`);
    console.log(`server: --workers ${values.workers ?? `default (${os.availableParallelism()})`}, --worker-nice ${values['worker-nice'] ?? 'default (10)'}; load average ${loadStart.toFixed(2)} at the start of the probes, ${os.loadavg()[0]!.toFixed(2)} at the end; ${os.availableParallelism()} cores`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
} finally {
  run.remove();
}
