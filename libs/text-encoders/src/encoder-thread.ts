/**
 * The entry of an encoder worker thread of {@link openThreadedTextEncoder}: loads the encoder its
 * `workerData` names (the same folder as the calling thread's), then, for each job, takes batch
 * numbers from the job's shared counter until none is left and sends back their embeddings
 * (transferred). Loaded by file name (tsup builds it as an entry of its own).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type BackendName, initTensorflow } from '@score/tfjs-runtime';
import type { EncoderBase } from './encoder-base';
import { loadTrainableEncoder } from './load-trainable-encoder';
import type { EncoderThreadMessage, EncoderThreadRequest, EncoderThreadSource } from './threaded-text-encoder';

const data = workerData as { readonly source: EncoderThreadSource; readonly backend: BackendName };
const port = parentPort!;

function describe(error: unknown): { name: string; message: string; stack?: string } {
  return error instanceof Error ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { name: 'Error', message: String(error) };
}

let encoder: EncoderBase | undefined;
try {
  await initTensorflow({ backend: data.backend });
  // loadTrainableEncoder gives a BERT or pooled encoder, both EncoderBase (the calling thread checked the same folder).
  encoder = (await loadTrainableEncoder(data.source.dir, data.source.batchSize === undefined ? {} : { batchSize: data.source.batchSize })) as unknown as EncoderBase;
  port.postMessage({ type: 'ready' } satisfies EncoderThreadMessage);
} catch (error) {
  port.postMessage({ type: 'failed', error: describe(error) } satisfies EncoderThreadMessage);
}

port.on('message', (request: EncoderThreadRequest) => {
  if (request.type === 'dispose') {
    encoder?.dispose();
    // Ends this thread only (process.exit in a worker stops the worker).
    process.exit(0);
  }
  void (async () => {
    const done: number[] = [];
    const values: Float32Array[] = [];
    try {
      const counter = new Int32Array(request.counter);
      const encoding = (index: number) => ({ ids: Array.from(request.tokens.subarray(request.offsets[index]!, request.offsets[index + 1]!)) });
      for (;;) {
        const next = Atomics.add(counter, 0, 1);
        if (next >= request.batches.length) break;
        // A copy of its own, so the buffer can be transferred.
        values.push((await encoder!.embedEncodings(request.batches[next]!.map(encoding))).slice());
        done.push(next);
      }
      port.postMessage({ type: 'result', id: request.id, batches: done, values } satisfies EncoderThreadMessage, values.map((value) => value.buffer as ArrayBuffer));
    } catch (error) {
      port.postMessage({ type: 'error', id: request.id, error: describe(error) } satisfies EncoderThreadMessage);
    }
  })();
});
