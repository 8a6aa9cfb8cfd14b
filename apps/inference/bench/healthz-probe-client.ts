// The health-probe client of healthz-bench.ts, in a process of its own as a Kubernetes kubelet's
// probe is: `tsx healthz-probe-client.ts URL COUNT INTERVAL_MS` sends COUNT GET /healthz, each on a
// fresh connection, INTERVAL_MS apart, and prints one JSON line `{"times":[ms,...]}` (milliseconds
// from the request until the whole answer arrived, in the order sent). Exits 1 on a non-200 answer.
import http from 'node:http';

const [url, countText, intervalText] = process.argv.slice(2);
const count = Number(countText);
const intervalMs = Number(intervalText);
if (!url || !Number.isInteger(count) || count <= 0 || !Number.isFinite(intervalMs) || intervalMs < 0) {
  console.error('usage: healthz-probe-client.ts URL COUNT INTERVAL_MS (COUNT a positive integer, INTERVAL_MS >= 0)');
  process.exit(2);
}

function probe(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/healthz`, { agent: false, headers: { connection: 'close' } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`/healthz answered ${response.statusCode}`))));
    });
    request.on('error', reject);
  });
}

const times: number[] = [];
for (let index = 0; index < count; index += 1) {
  times.push(await probe());
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
process.stdout.write(`${JSON.stringify({ times })}\n`);
