// A worker for worker-pool.test.ts, speaking the pool's protocol: `echo` answers its payload,
// `crash` ends the thread at once (as an out-of-memory abort or a native fault would), and
// `slow` answers after the given milliseconds. `workerData.failLoad` makes it fail to load.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage, WorkerRequest } from '../worker-pool';

const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);
const options = (workerData ?? {}) as { failLoad?: boolean };

if (options.failLoad) {
  send({ type: 'failed', error: { name: 'Error', code: 'ARTIFACT_NOT_FOUND', message: 'no model here' } });
  port.close();
} else {
  send({ type: 'ready', info: { pid: process.pid } });
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'dispose') return port.close();
    if (message.op === 'crash') process.exit(3);
    if (message.op === 'slow') {
      setTimeout(() => send({ type: 'result', id: message.id, value: 'slow done' }), message.payload as number);
      return;
    }
    send({ type: 'result', id: message.id, value: message.payload });
  });
}
