import type { Worker } from 'node:worker_threads';
import { checkInteger, createMatrix, type EmbedOptions, type Float32Matrix, ScoreError, startModuleWorker, type TextEmbeddingModel } from '@score/core';
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

/** A job for an encoder thread: every text's token ids (flat) and the batches, numbered; threads take numbers from `counter`. */
export type EncoderThreadRequest =
  | {
      readonly type: 'embed';
      readonly id: number;
      /** Every text's token ids, one after another. */
      readonly tokens: Int32Array;
      /** Text i is tokens[offsets[i] .. offsets[i + 1]). */
      readonly offsets: Int32Array;
      /** Text indices of each batch (the forward passes of one-thread `embed`). */
      readonly batches: readonly (readonly number[])[];
      /** One int32: the next batch number to take (Atomics.add). */
      readonly counter: SharedArrayBuffer;
    }
  | { readonly type: 'dispose' };

/** An encoder thread's message: loaded (or not), and a job's embeddings per batch it took. */
export type EncoderThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } }
  | { readonly type: 'result'; readonly id: number; readonly batches: readonly number[]; readonly values: readonly Float32Array[] }
  | { readonly type: 'error'; readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

/** Options of {@link openThreadedTextEncoder}. */
export interface ThreadedTextEncoderOptions {
  /** Threads that run forward passes, the calling thread included; 1 starts no worker. */
  readonly threads: number;
}

interface EncoderWorker {
  readonly worker: Worker;
  /** Rejects the job in flight when the worker dies. */
  fail?: (error: ScoreError) => void;
  dead?: ScoreError;
}

function workerError(message: string, error: { name: string; message: string; stack?: string }): ScoreError {
  const rebuilt = new ScoreError(`${message}: ${error.name}: ${error.message}`, { code: 'WORKER_FAILED' });
  if (error.stack) rebuilt.stack = `${rebuilt.name}: ${rebuilt.message}\n    (in an encoder thread)\n${error.stack}`;
  return rebuilt;
}

/** Starts an encoder thread; from the TypeScript sources (the repository, tests) through tsx. */
function startWorker(source: EncoderThreadSource, backend: string): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './encoder-thread.ts' : './encoder-thread.js', import.meta.url);
  return startModuleWorker(entry, { source, backend });
}

/** Resolves when a worker has loaded its encoder; rejects when it fails to, crashes or exits first. */
function workerLoaded(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: ScoreError) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (message: EncoderThreadMessage) => {
      if (message.type === 'ready') settle();
      else if (message.type === 'failed') settle(workerError('An encoder thread could not load the encoder', message.error));
    };
    const onError = (error: Error) => settle(new ScoreError(`An encoder thread crashed while loading: ${error.message}`, { code: 'WORKER_FAILED', cause: error }));
    const onExit = (code: number) => settle(new ScoreError(`An encoder thread exited while loading (code ${code}).`, { code: 'WORKER_FAILED' }));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
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
  readonly #workers: EncoderWorker[];
  readonly #batchesPerThread: number[];
  #nextJob = 1;
  #closed = false;

  /** Use {@link openThreadedTextEncoder}. */
  constructor(encoder: TrainableTextEncoder, workers: readonly Worker[]) {
    if (!(encoder instanceof EncoderBase)) throw new ScoreError('A threaded encoder needs a BERT or pooled encoder of @score/text-encoders.', { code: 'INVALID_OPTION' });
    this.encoder = encoder;
    this.#base = encoder;
    this.#workers = workers.map((worker) => {
      const entry: EncoderWorker = { worker };
      const died = (error: ScoreError) => {
        entry.dead ??= error;
        entry.fail?.(error);
      };
      worker.on('error', (error) => died(new ScoreError(`An encoder thread crashed: ${error.message}`, { code: 'WORKER_FAILED', cause: error })));
      worker.on('exit', (code) => {
        if (!this.#closed) died(new ScoreError(`An encoder thread exited (code ${code}).`, { code: 'WORKER_FAILED' }));
      });
      return entry;
    });
    this.#batchesPerThread = new Array<number>(workers.length + 1).fill(0);
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
    return this.#workers.length + 1;
  }

  /** Forward passes each thread has run so far (the calling thread first). */
  get batchesPerThread(): readonly number[] {
    return [...this.#batchesPerThread];
  }

  /** The encoder's `embed`, its batches spread over the threads; bitwise the same embeddings. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Matrix> {
    if (this.#closed) throw new ScoreError(`The threaded encoder ${this.modelId} was disposed; open it again.`, { code: 'DISPOSED' });
    const batchSize = checkInteger('batchSize', options.batchSize ?? this.#base.embedBatchSize, 1);
    const width = this.dimensions;
    const encodings = this.#base.encodeTexts(texts);
    const batches = embedBatches(encodings, batchSize);
    const values = new Array<Float32Array>(batches.length);
    const workers = batches.length > 1 ? this.#workers : [];
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const stop = () => Atomics.store(counter, 0, batches.length);
    const jobs = workers.length === 0 ? [] : this.#post(workers, encodings, batches, counter, values);
    const workersDone = Promise.all(jobs.map((job) => job.catch((error: unknown) => (stop(), Promise.reject(error)))));
    workersDone.catch(() => undefined);
    try {
      for (;;) {
        if (options.signal?.aborted) break;
        const next = Atomics.add(counter, 0, 1);
        if (next >= batches.length) break;
        values[next] = await this.#base.embedEncodings(batches[next]!.map((i) => encodings[i]!));
        this.#batchesPerThread[0]! += 1;
      }
      if (options.signal?.aborted) stop();
      await workersDone;
    } catch (error) {
      stop();
      await Promise.allSettled(jobs);
      throw error;
    }
    options.signal?.throwIfAborted();
    const out = new Float32Array(texts.length * width);
    batches.forEach((rows, b) => rows.forEach((r, i) => out.set(values[b]!.subarray(i * width, (i + 1) * width), r * width)));
    return createMatrix(texts.length, width, out);
  }

  /** Sends one job to each of `workers`; each promise settles when that worker has no batch left. */
  #post(workers: readonly EncoderWorker[], encodings: readonly { readonly ids: readonly number[] }[], batches: readonly number[][], counter: Int32Array, values: Float32Array[]): Promise<void>[] {
    const offsets = new Int32Array(encodings.length + 1);
    encodings.forEach((encoding, i) => (offsets[i + 1] = offsets[i]! + encoding.ids.length));
    const tokens = new Int32Array(offsets[encodings.length]!);
    encodings.forEach((encoding, i) => tokens.set(encoding.ids, offsets[i]!));
    const id = this.#nextJob++;
    return workers.map(
      (entry) =>
        new Promise<void>((resolve, reject) => {
          if (entry.dead) return reject(entry.dead);
          const w = this.#workers.indexOf(entry) + 1;
          const onMessage = (message: EncoderThreadMessage) => {
            if ((message.type !== 'result' && message.type !== 'error') || message.id !== id) return;
            entry.worker.off('message', onMessage);
            entry.fail = undefined;
            if (message.type === 'error') return reject(workerError('An encoder thread failed', message.error));
            message.batches.forEach((batch, i) => (values[batch] = message.values[i]!));
            this.#batchesPerThread[w]! += message.batches.length;
            resolve();
          };
          entry.fail = (error) => {
            entry.worker.off('message', onMessage);
            entry.fail = undefined;
            reject(error);
          };
          entry.worker.on('message', onMessage);
          entry.worker.postMessage({ type: 'embed', id, tokens, offsets, batches, counter: counter.buffer as SharedArrayBuffer } satisfies EncoderThreadRequest);
        }),
    );
  }

  /** Stops the workers and frees the calling thread's encoder. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { worker } of this.#workers) {
      worker.postMessage({ type: 'dispose' } satisfies EncoderThreadRequest);
      // The worker frees its encoder and exits; terminate in case it is stuck in a batch.
      setTimeout(() => void worker.terminate(), 5000).unref();
    }
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
  const backend = tf.getBackend();
  const workers = Array.from({ length: options.threads - 1 }, () => startWorker(source, backend));
  try {
    await Promise.all(workers.map((worker) => workerLoaded(worker)));
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    encoder.dispose();
    throw error;
  }
  return new ThreadedTextEncoder(encoder, workers);
}
