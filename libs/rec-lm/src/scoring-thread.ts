/**
 * The entry of a scoring worker thread of {@link openThreadedRecLm}: loads the LM its
 * `workerData` names (the same source as the main thread's) and serves the jobs of its
 * `BatchThreads` (`@score/core`): each batch's Yes/No logits. Loaded by file name (tsup builds it
 * as an entry of its own).
 */
import { workerData } from 'node:worker_threads';
import { serveBatchThread } from '@score/core';
import { type BackendName, initTensorflow } from '@score/tfjs-runtime';
import { loadRecLmSource, type RecLmSource } from './rec-lm-source';
import { batchAnswerLogits } from './yes-no-scoring';

const data = workerData as { readonly source: RecLmSource; readonly backend: BackendName };

await serveBatchThread(
  async () => {
    await initTensorflow({ backend: data.backend });
    return loadRecLmSource(data.source);
  },
  (lm, sequences) => batchAnswerLogits(lm.model, sequences.map((sequence) => Array.from(sequence)), lm.answers),
  (lm) => lm.dispose(),
);
