// The machine's floor for healthz-bench.ts (`--floor`): a bare node:http server answering GET /healthz
// on its event loop while WORKERS worker threads, each lowered by NICE steps as score-serve's scoring
// workers are, keep every core busy with a plain arithmetic loop. What the probes see here is what the
// operating system and the probe path cost on this machine, with no scoring service at all; the
// score-serve figures are read against it.
//   tsx healthz-floor-server.ts PORT WORKERS NICE   (prints "listening" once it accepts connections)
import http from 'node:http';
import { Worker } from 'node:worker_threads';

const [port, workers, nice] = process.argv.slice(2).map(Number) as [number, number, number];
if (![port, workers, nice].every((value) => Number.isInteger(value) && value >= 0)) {
  console.error('usage: healthz-floor-server.ts PORT WORKERS NICE (non-negative integers)');
  process.exit(2);
}
const spin = `
const fs = require('node:fs');
const os = require('node:os');
const threadId = Number(fs.readlinkSync('/proc/thread-self').split('/').at(-1));
os.setPriority(threadId, Math.min(19, os.getPriority(threadId) + ${nice}));
const values = new Float64Array(1 << 20);
let total = 0;
for (;;) {
  for (let index = 0; index < values.length; index += 1) total += values[index] = values[index] * 0.5 + index;
  if (total === 42) console.log(total);
}`;
for (let index = 0; index < workers; index += 1) new Worker(spin, { eval: true }).unref();
http
  .createServer((_, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"status":"ok"}');
  })
  .listen(port, '127.0.0.1', () => console.log('listening'));
