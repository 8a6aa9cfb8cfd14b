/**
 * The entry of a scoring worker thread of {@link openThreadedRecLm}: loads the LM its
 * `workerData` names (the same source as the main thread's), then, for each job, takes batch
 * numbers from the job's shared counter until none is left and sends back their Yes/No logits.
 * Loaded by file name (tsup builds it as an entry of its own).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type BackendName, initTensorflow } from '@score/tfjs-runtime';
import type { InProcessLanguageModel } from './in-process-language-model';
import { loadRecLmSource, type RecLmSource } from './rec-lm-source';
import type { ScoringThreadMessage, ScoringThreadRequest } from './threaded-rec-lm';
import { batchAnswerLogits } from './yes-no-scoring';

const data = workerData as { readonly source: RecLmSource; readonly backend: BackendName };
const port = parentPort!;

function describe(error: unknown): { name: string; message: string; stack?: string } {
  return error instanceof Error ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { name: 'Error', message: String(error) };
}

let lm: InProcessLanguageModel | undefined;
try {
  await initTensorflow({ backend: data.backend });
  lm = await loadRecLmSource(data.source);
  port.postMessage({ type: 'ready' } satisfies ScoringThreadMessage);
} catch (error) {
  port.postMessage({ type: 'failed', error: describe(error) } satisfies ScoringThreadMessage);
}

port.on('message', (request: ScoringThreadRequest) => {
  if (request.type === 'dispose') {
    lm?.dispose();
    // Ends this thread only (process.exit in a worker stops the worker).
    process.exit(0);
  }
  void (async () => {
    const done: number[] = [];
    const values: Float32Array[] = [];
    try {
      const counter = new Int32Array(request.counter);
      const sequence = (index: number) => request.tokens.subarray(request.offsets[index]!, request.offsets[index + 1]!);
      for (;;) {
        const next = Atomics.add(counter, 0, 1);
        if (next >= request.batches.length) break;
        values.push(await batchAnswerLogits(lm!.model, request.batches[next]!.map((index) => Array.from(sequence(index))), lm!.answers));
        done.push(next);
      }
      port.postMessage({ type: 'result', id: request.id, batches: done, values } satisfies ScoringThreadMessage);
    } catch (error) {
      port.postMessage({ type: 'error', id: request.id, error: describe(error) } satisfies ScoringThreadMessage);
    }
  })();
});
