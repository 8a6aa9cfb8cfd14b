import { type BatchThreadMessage, type BatchThreadRequest, BatchThreads, checkInteger, createMatrix, type EmbedOptions, type Float32Matrix, ScoreError, type TextEmbeddingModel } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import { EncoderBase, embedBatches } from './encoder-base';
import { loadTrainableEncoder } from './load-trainable-encoder';
import type { TrainableTextEncoder } from './trainable-encoder';

/** Where every thread of a {@link ThreadedTextEncoder} loads the encoder from. */
export interface EncoderThreadSource {
  /** A folder saved by a trainable encoder (`config.json`, `model.safetensors`, `tokenizer.json`): BERT or pooled. */
  readonly dir: string;
  /** Texts per forward pass. @defaultValue the encoder's default (32 for BERT, 64 pooled) */
  readonly batchSize?: number;
}

/** A job for an encoder thread (`BatchThreadRequest` of `@score/core`): every text's token ids (flat) and the batches, numbered; threads take numbers from its counter. */
export type EncoderThreadRequest = BatchThreadRequest;

/** An encoder thread's message (`BatchThreadMessage` of `@score/core`): loaded (or not), and a job's embeddings per batch it took. */
export type EncoderThreadMessage = BatchThreadMessage;

/** Options of {@link openThreadedTextEncoder}. */
export interface ThreadedTextEncoderOptions {
  /** Threads that run forward passes, the calling thread included; 1 starts no worker. */
  readonly threads: number;
}

/**
 * A trainable encoder (BERT or pooled, loaded from a folder) whose `embed` spreads its forward
 * passes over worker threads and the calling thread: each thread holds its own copy of the
 * encoder, loaded from the same folder, and takes the next batch number from a shared counter;
 * the embeddings come back (transferred) and are put in input order. Tokenizing stays on the
 * calling thread, and the batches are exactly those of the encoder's own `embed` (the same
 * length-sorted texts, the same padding), so every embedding is bitwise the same as on one thread;
 * only the wall time changes (the wasm backend runs one thread per worker). A call with one batch
 * runs on the calling thread.
 */
export class ThreadedTextEncoder implements TextEmbeddingModel {
  /** The calling thread's encoder (owned: `dispose` frees it). */
  readonly encoder: TrainableTextEncoder;
  readonly #base: EncoderBase;
  readonly #threads: BatchThreads;
  #localBatches = 0;
  #closed = false;

  /** Use {@link openThreadedTextEncoder}. */
  constructor(encoder: TrainableTextEncoder, threads: BatchThreads) {
    if (!(encoder instanceof EncoderBase)) throw new ScoreError('A threaded encoder needs a BERT or pooled encoder of @score/text-encoders.', { code: 'INVALID_OPTION' });
    this.encoder = encoder;
    this.#base = encoder;
    this.#threads = threads;
  }

  get modelId(): string {
    return this.encoder.modelId;
  }

  get dimensions(): number {
    return this.encoder.dimensions;
  }

  get normalized(): boolean {
    return this.encoder.normalized;
  }

  /** Threads that run forward passes (the calling thread and the workers). */
  get threads(): number {
    return this.#threads.size + 1;
  }

  /** Forward passes each thread has run so far (the calling thread first). */
  get batchesPerThread(): readonly number[] {
    return [this.#localBatches, ...this.#threads.batchesPerWorker];
  }

  /** The encoder's `embed`, its batches spread over the threads; bitwise the same embeddings. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Matrix> {
    if (this.#closed) throw new ScoreError(`The threaded encoder ${this.modelId} was disposed; open it again.`, { code: 'DISPOSED' });
    const batchSize = checkInteger('batchSize', options.batchSize ?? this.#base.embedBatchSize, 1);
    const width = this.dimensions;
    const encodings = this.#base.encodeTexts(texts);
    const batches = embedBatches(encodings, batchSize);
    const { values, localBatches } = await this.#threads.run(
      encodings.map((encoding) => encoding.ids),
      batches,
      (b) => this.#base.embedEncodings(batches[b]!.map((i) => encodings[i]!)),
      // A call with one batch runs on the calling thread.
      { ...(options.signal ? { signal: options.signal } : {}), useWorkers: batches.length > 1 },
    );
    this.#localBatches += localBatches;
    options.signal?.throwIfAborted();
    const out = new Float32Array(texts.length * width);
    batches.forEach((rows, b) => rows.forEach((r, i) => out.set(values[b]!.subarray(i * width, (i + 1) * width), r * width)));
    return createMatrix(texts.length, width, out);
  }

  /** Stops the workers and frees the calling thread's encoder. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#threads.dispose();
    this.encoder.dispose();
  }
}

/**
 * Loads the trainable encoder saved in `source.dir` on the calling thread and on `threads - 1`
 * worker threads (same tfjs backend), for inference whose forward passes spread over the threads
 * (see {@link ThreadedTextEncoder}; the embeddings are bitwise those of one thread). With one
 * thread it starts no worker. Call `dispose()` to stop the workers and free the encoder.
 * @example
 * const encoder = await openThreadedTextEncoder({ dir: 'runs/demo/sare' }, { threads: 2 });
 * const vectors = await encoder.embed(texts); // bitwise those of loadTrainableEncoder(dir).embed(texts)
 * encoder.dispose();
 */
export async function openThreadedTextEncoder(source: EncoderThreadSource, options: ThreadedTextEncoderOptions): Promise<ThreadedTextEncoder> {
  checkInteger('threads', options.threads, 1);
  const encoder = await loadTrainableEncoder(source.dir, source.batchSize === undefined ? {} : { batchSize: source.batchSize });
  if (!(encoder instanceof EncoderBase)) {
    encoder.dispose();
    throw new ScoreError(`The encoder in ${source.dir} is not a BERT or pooled encoder of @score/text-encoders; it cannot run on threads.`, { code: 'INVALID_OPTION' });
  }
  // From the TypeScript sources (the repository, tests) the worker runs through tsx.
  const entry = new URL(import.meta.url.endsWith('.ts') ? './encoder-thread.ts' : './encoder-thread.js', import.meta.url);
  let threads: BatchThreads;
  try {
    threads = await BatchThreads.start({ entry, workerData: { source, backend: tf.getBackend() }, count: options.threads - 1, name: 'encoder thread', model: 'the encoder' });
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  return new ThreadedTextEncoder(encoder, threads);
}
