/**
 * The entry of an encoder worker thread of {@link openThreadedTextEncoder}: loads the encoder its
 * `workerData` names (the same folder as the calling thread's) and serves the jobs of its
 * `BatchThreads` (`@score/core`): each batch's embeddings, as the encoder's own `embed` computes
 * them. Loaded by file name (tsup builds it as an entry of its own).
 */
import { workerData } from 'node:worker_threads';
import { serveBatchThread } from '@score/core';
import { type BackendName, initTensorflow } from '@score/tfjs-runtime';
import type { EncoderBase } from './encoder-base';
import { loadTrainableEncoder } from './load-trainable-encoder';
import type { EncoderThreadSource } from './threaded-text-encoder';

const data = workerData as { readonly source: EncoderThreadSource; readonly backend: BackendName };

await serveBatchThread(
  async () => {
    await initTensorflow({ backend: data.backend });
    // loadTrainableEncoder gives a BERT or pooled encoder, both EncoderBase (the calling thread checked the same folder).
    return (await loadTrainableEncoder(data.source.dir, data.source.batchSize === undefined ? {} : { batchSize: data.source.batchSize })) as unknown as EncoderBase;
  },
  (encoder, sequences) => encoder.embedEncodings(sequences.map((ids) => ({ ids: Array.from(ids) }))),
  (encoder) => encoder.dispose(),
);
