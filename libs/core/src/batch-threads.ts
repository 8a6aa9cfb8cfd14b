import { parentPort, type Worker } from 'node:worker_threads';
import { ScoreError } from './errors';
import { startModuleWorker } from './module-worker';

/**
 * A job for a batch thread: every sequence's token ids (flat) and the batches (sequence indices),
 * numbered; the calling thread and the workers take batch numbers from `counter` until none is
 * left, so every batch is computed once, by whichever thread is free.
 */
export interface BatchThreadJob {
  readonly type: 'batches';
  readonly id: number;
  /** Every sequence's token ids, one after another. */
  readonly tokens: Int32Array;
  /** Sequence i is tokens[offsets[i] .. offsets[i + 1]). */
  readonly offsets: Int32Array;
  /** Sequence indices of each batch. */
  readonly batches: readonly (readonly number[])[];
  /** One int32: the next batch number to take (Atomics.add). */
  readonly counter: SharedArrayBuffer;
}

/** What the calling thread sends a batch thread: a job, or the order to free its model and exit. */
export type BatchThreadRequest = BatchThreadJob | { readonly type: 'dispose' };

/** An error as it crosses threads. */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** A batch thread's message: its model loaded (or not), and a job's values per batch it took. */
export type BatchThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: ThreadError }
  | { readonly type: 'result'; readonly id: number; readonly batches: readonly number[]; readonly values: readonly Float32Array[] }
  | { readonly type: 'error'; readonly id: number; readonly error: ThreadError };

/** Options of {@link BatchThreads.start}. */
export interface StartBatchThreadsOptions {
  /** The worker's module (a `.ts` source runs through tsx, see {@link startModuleWorker}); it calls {@link serveBatchThread}. */
  readonly entry: URL;
  /** The worker's `workerData` (what it loads its model from). */
  readonly workerData: unknown;
  /** Worker threads to start (0: none; `run` then computes every batch on the calling thread). */
  readonly count: number;
  /** What a thread is called in errors, e.g. "encoder thread". */
  readonly name: string;
  /** What a thread loads, in errors, e.g. "the encoder". */
  readonly model: string;
}

function describeError(error: unknown): ThreadError {
  return error instanceof Error ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { name: 'Error', message: String(error) };
}

function article(name: string): string {
  return /^[aeiou]/i.test(name) ? 'An' : 'A';
}

interface BatchWorker {
  readonly worker: Worker;
  /** Rejects the job in flight when the worker dies. */
  fail?: (error: ScoreError) => void;
  dead?: ScoreError;
}

/**
 * Worker threads that each hold a copy of a model and compute numbered batches of token
 * sequences with it, beside the calling thread (the shared machinery of text-encoders'
 * `ThreadedTextEncoder` and rec-lm's `ThreadedRecLm`). A job hands every thread the same
 * batches and a shared counter; each takes the next number until none is left and the values
 * come back per batch, so what a batch yields does not depend on which thread computed it.
 * A worker that crashes, exits or fails a batch fails the job (`WORKER_FAILED`) and stops the
 * others at their next batch.
 */
export class BatchThreads {
  readonly #workers: BatchWorker[];
  readonly #name: string;
  readonly #batchesPerWorker: number[];
  #nextJob = 1;
  #closed = false;

  private constructor(workers: readonly Worker[], name: string) {
    this.#name = name;
    this.#workers = workers.map((worker) => {
      const entry: BatchWorker = { worker };
      const died = (error: ScoreError) => {
        entry.dead ??= error;
        entry.fail?.(error);
      };
      worker.on('error', (error) => died(new ScoreError(`${article(name)} ${name} crashed: ${error.message}`, { code: 'WORKER_FAILED', cause: error })));
      worker.on('exit', (code) => {
        if (!this.#closed) died(new ScoreError(`${article(name)} ${name} exited (code ${code}).`, { code: 'WORKER_FAILED' }));
      });
      return entry;
    });
    this.#batchesPerWorker = new Array<number>(workers.length).fill(0);
  }

  /**
   * Starts `count` workers and resolves when every one has loaded its model.
   * @throws ScoreError (`WORKER_FAILED`) when one fails to load, crashes or exits first (every worker is then terminated).
   */
  static async start(options: StartBatchThreadsOptions): Promise<BatchThreads> {
    const workers = Array.from({ length: options.count }, () => startModuleWorker(options.entry, options.workerData));
    try {
      await Promise.all(workers.map((worker) => workerLoaded(worker, options.name, options.model)));
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new BatchThreads(workers, options.name);
  }

  /** Worker threads (the calling thread not counted). */
  get size(): number {
    return this.#workers.length;
  }

  /** Batches each worker has computed so far. */
  get batchesPerWorker(): readonly number[] {
    return [...this.#batchesPerWorker];
  }

  /**
   * Computes every batch of `sequences` once: on the workers (unless `useWorkers` is false) and,
   * when `local` is given, on the calling thread too, each taking the next batch number from a
   * shared counter. Returns each batch's values and how many batches the calling thread took.
   * An aborted `signal` stops every thread at its next batch (the caller then throws its reason);
   * the first failure is thrown after every thread has stopped.
   */
  async run(
    sequences: readonly ArrayLike<number>[],
    batches: readonly (readonly number[])[],
    local: ((batch: number) => Promise<Float32Array>) | undefined,
    options: { readonly signal?: AbortSignal; readonly useWorkers?: boolean } = {},
  ): Promise<{ readonly values: Float32Array[]; readonly localBatches: number }> {
    if (this.#closed) throw new ScoreError(`The ${this.#name}s were stopped.`, { code: 'DISPOSED' });
    const { signal } = options;
    const values = new Array<Float32Array>(batches.length);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const stop = () => Atomics.store(counter, 0, batches.length);
    const jobs = options.useWorkers === false ? [] : this.#post(sequences, batches, counter, values);
    // A failed worker stops the others at their next batch; the first failure is reported.
    const workersDone = Promise.all(jobs.map((job) => job.catch((error: unknown) => (stop(), Promise.reject(error)))));
    workersDone.catch(() => undefined);
    let localBatches = 0;
    try {
      if (local) {
        for (;;) {
          if (signal?.aborted) break;
          const next = Atomics.add(counter, 0, 1);
          if (next >= batches.length) break;
          values[next] = await local(next);
          localBatches += 1;
        }
      }
      if (signal) {
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      }
      await workersDone;
    } catch (error) {
      stop();
      await Promise.allSettled(jobs);
      throw error;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    return { values, localBatches };
  }

  /** Sends one job to every worker; each promise settles when that worker has no batch left. */
  #post(sequences: readonly ArrayLike<number>[], batches: readonly (readonly number[])[], counter: Int32Array, values: Float32Array[]): Promise<void>[] {
    const offsets = new Int32Array(sequences.length + 1);
    sequences.forEach((sequence, i) => (offsets[i + 1] = offsets[i]! + sequence.length));
    const tokens = new Int32Array(offsets[sequences.length]!);
    sequences.forEach((sequence, i) => tokens.set(sequence, offsets[i]!));
    const id = this.#nextJob++;
    return this.#workers.map(
      (entry, w) =>
        new Promise<void>((resolve, reject) => {
          if (entry.dead) return reject(entry.dead);
          const onMessage = (message: BatchThreadMessage) => {
            if ((message.type !== 'result' && message.type !== 'error') || message.id !== id) return;
            entry.worker.off('message', onMessage);
            entry.fail = undefined;
            if (message.type === 'error') return reject(rebuildError(`${article(this.#name)} ${this.#name} failed`, message.error, this.#name));
            message.batches.forEach((batch, i) => (values[batch] = message.values[i]!));
            this.#batchesPerWorker[w]! += message.batches.length;
            resolve();
          };
          entry.fail = (error) => {
            entry.worker.off('message', onMessage);
            entry.fail = undefined;
            reject(error);
          };
          entry.worker.on('message', onMessage);
          entry.worker.postMessage({ type: 'batches', id, tokens, offsets, batches, counter: counter.buffer as SharedArrayBuffer } satisfies BatchThreadRequest);
        }),
    );
  }

  /** Asks every worker to free its model and exit (terminated after 5 s if one is stuck in a batch). */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { worker } of this.#workers) {
      worker.postMessage({ type: 'dispose' } satisfies BatchThreadRequest);
      setTimeout(() => void worker.terminate(), 5000).unref();
    }
  }
}

function rebuildError(message: string, error: ThreadError, name: string): ScoreError {
  const rebuilt = new ScoreError(`${message}: ${error.name}: ${error.message}`, { code: 'WORKER_FAILED' });
  if (error.stack) rebuilt.stack = `${rebuilt.name}: ${rebuilt.message}\n    (in ${article(name).toLowerCase()} ${name})\n${error.stack}`;
  return rebuilt;
}

/** Resolves when a worker has loaded its model; rejects when it fails to, crashes or exits first. */
function workerLoaded(worker: Worker, name: string, model: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: ScoreError) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (message: BatchThreadMessage) => {
      if (message.type === 'ready') settle();
      else if (message.type === 'failed') settle(rebuildError(`${article(name)} ${name} could not load ${model}`, message.error, name));
    };
    const onError = (error: Error) => settle(new ScoreError(`${article(name)} ${name} crashed while loading: ${error.message}`, { code: 'WORKER_FAILED', cause: error }));
    const onExit = (code: number) => settle(new ScoreError(`${article(name)} ${name} exited while loading (code ${code}).`, { code: 'WORKER_FAILED' }));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * The worker side of {@link BatchThreads}, called once by the worker module: loads the model,
 * reports ready (or failed), then for each job takes batch numbers from the job's counter until
 * none is left, computes each batch with `compute` (given the batch's token sequences) and sends
 * the values back (copied, and transferred). `dispose` frees the model before the thread exits.
 */
export async function serveBatchThread<Model>(load: () => Promise<Model>, compute: (model: Model, sequences: readonly Int32Array[]) => Promise<Float32Array>, dispose: (model: Model) => void): Promise<void> {
  const port = parentPort;
  if (!port) throw new ScoreError('serveBatchThread runs in a worker thread started by BatchThreads.', { code: 'INVALID_OPTION' });
  let model: Model | undefined;
  try {
    model = await load();
    port.postMessage({ type: 'ready' } satisfies BatchThreadMessage);
  } catch (error) {
    port.postMessage({ type: 'failed', error: describeError(error) } satisfies BatchThreadMessage);
  }
  port.on('message', (request: BatchThreadRequest) => {
    if (request.type === 'dispose') {
      if (model !== undefined) dispose(model);
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
          // A copy of its own, so the buffer can be transferred.
          values.push((await compute(model!, request.batches[next]!.map(sequence))).slice());
          done.push(next);
        }
        port.postMessage({ type: 'result', id: request.id, batches: done, values } satisfies BatchThreadMessage, values.map((value) => value.buffer as ArrayBuffer));
      } catch (error) {
        port.postMessage({ type: 'error', id: request.id, error: describeError(error) } satisfies BatchThreadMessage);
      }
    })();
  });
}
