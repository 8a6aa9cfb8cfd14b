import type { Worker } from 'node:worker_threads';
import { checkInteger, type YesNoScore, ScoreError, startModuleWorker } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import { InProcessLanguageModel } from './in-process-language-model';
import { loadRecLmSource, type RecLmSource } from './rec-lm-source';
import { batchAnswerLogits, batchesByLength, yesNoScore } from './yes-no-scoring';

/** A job for a scoring thread: every prompt's tokens (flat) and the batches, numbered; threads take numbers from `counter`. */
export type ScoringThreadRequest =
  | {
      readonly type: 'score';
      readonly id: number;
      /** Every prompt's token ids, one after another. */
      readonly tokens: Int32Array;
      /** Prompt i is tokens[offsets[i] .. offsets[i + 1]). */
      readonly offsets: Int32Array;
      /** Prompt indices of each batch. */
      readonly batches: readonly (readonly number[])[];
      /** One int32: the next batch number to take (Atomics.add). */
      readonly counter: SharedArrayBuffer;
    }
  | { readonly type: 'dispose' };

/** A scoring thread's message: loaded (or not), and a job's logits per batch it took. */
export type ScoringThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } }
  | { readonly type: 'result'; readonly id: number; readonly batches: readonly number[]; readonly values: readonly Float32Array[] }
  | { readonly type: 'error'; readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

/** Options of {@link openThreadedRecLm}. */
export interface ThreadedRecLmOptions {
  /** Threads that score batches, the calling thread included when `mainThread` is true. 1 with `mainThread` opens the plain LM (no worker). */
  readonly threads: number;
  /** Whether the calling thread scores batches too (else it only waits for the workers). @defaultValue true */
  readonly mainThread?: boolean;
}

/** Batches scored by each thread since the LM was opened (the calling thread first when it scores). */
export interface ThreadedRecLmStats {
  readonly batchesPerThread: readonly number[];
}

interface ScoringWorker {
  readonly worker: Worker;
  /** Rejects the job in flight when the worker dies. */
  fail?: (error: ScoreError) => void;
  dead?: ScoreError;
}

/** Starts the scoring thread; from the TypeScript sources (the repository, tests) through tsx, as apps/inference's workers. */
function startWorker(source: RecLmSource, backend: string): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './scoring-thread.ts' : './scoring-thread.js', import.meta.url);
  return startModuleWorker(entry, { source, backend });
}

function workerError(message: string, error: { name: string; message: string; stack?: string }): ScoreError {
  const rebuilt = new ScoreError(`${message}: ${error.name}: ${error.message}`, { code: 'WORKER_FAILED' });
  if (error.stack) rebuilt.stack = `${rebuilt.name}: ${rebuilt.message}\n    (in a scoring thread)\n${error.stack}`;
  return rebuilt;
}

/**
 * The recommender LM whose `scoreYesNo` spreads its length-sorted batches over worker threads
 * (and the calling thread): each thread holds its own copy of the LM, loaded from the same
 * {@link RecLmSource}, and takes the next batch number from a shared counter until none is left;
 * the scores are put back in prompt order. The batches are exactly those of
 * {@link InProcessLanguageModel.scoreYesNo} (same members, same padding), so every score is
 * bitwise the same as on one thread; only the wall time changes (the wasm backend runs one thread
 * per worker). Prompt encoding and `generate` stay on the calling thread.
 */
export class ThreadedRecLm extends InProcessLanguageModel {
  readonly #workers: ScoringWorker[];
  readonly #mainThread: boolean;
  readonly #batchesPerThread: number[];
  #nextJob = 1;
  #closed = false;

  /** Use {@link openThreadedRecLm}; `lm` hands its model over (dispose this one, not `lm`). */
  constructor(lm: InProcessLanguageModel, workers: readonly Worker[], mainThread: boolean) {
    super(lm.options);
    this.#mainThread = mainThread;
    this.#workers = workers.map((worker) => {
      const entry: ScoringWorker = { worker };
      const died = (error: ScoreError) => {
        entry.dead ??= error;
        entry.fail?.(error);
      };
      worker.on('error', (error) => died(new ScoreError(`A scoring thread crashed: ${error.message}`, { code: 'WORKER_FAILED', cause: error })));
      worker.on('exit', (code) => {
        if (!this.#closed) died(new ScoreError(`A scoring thread exited (code ${code}).`, { code: 'WORKER_FAILED' }));
      });
      return entry;
    });
    this.#batchesPerThread = new Array<number>(workers.length + (mainThread ? 1 : 0)).fill(0);
  }

  /** Batches each thread has scored so far (the calling thread first when it scores). */
  get stats(): ThreadedRecLmStats {
    return { batchesPerThread: [...this.#batchesPerThread] };
  }

  protected override async scoreSequences(sequences: readonly (readonly number[])[], batchSize: number, signal?: AbortSignal): Promise<YesNoScore[]> {
    const batches = batchesByLength(sequences.map((s) => s.length), batchSize);
    const offsets = new Int32Array(sequences.length + 1);
    sequences.forEach((sequence, i) => (offsets[i + 1] = offsets[i]! + sequence.length));
    const tokens = new Int32Array(offsets[sequences.length]!);
    sequences.forEach((sequence, i) => tokens.set(sequence, offsets[i]!));
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const logits = new Array<Float32Array>(batches.length);
    const id = this.#nextJob++;
    const stop = () => Atomics.store(counter, 0, batches.length);
    const jobs = this.#workers.map(
      (entry, w) =>
        new Promise<void>((resolve, reject) => {
          if (entry.dead) return reject(entry.dead);
          const onMessage = (message: ScoringThreadMessage) => {
            if ((message.type !== 'result' && message.type !== 'error') || message.id !== id) return;
            entry.worker.off('message', onMessage);
            entry.fail = undefined;
            if (message.type === 'error') return reject(workerError('A scoring thread failed', message.error));
            message.batches.forEach((batch, i) => (logits[batch] = message.values[i]!));
            this.#batchesPerThread[w + (this.#mainThread ? 1 : 0)]! += message.batches.length;
            resolve();
          };
          entry.fail = (error) => {
            entry.worker.off('message', onMessage);
            entry.fail = undefined;
            reject(error);
          };
          entry.worker.on('message', onMessage);
          entry.worker.postMessage({ type: 'score', id, tokens, offsets, batches, counter: counter.buffer as SharedArrayBuffer } satisfies ScoringThreadRequest);
        }),
    );
    // A failed worker stops the others at their next batch; the first failure is reported.
    const workersDone = Promise.all(jobs.map((job) => job.catch((error: unknown) => (stop(), Promise.reject(error)))));
    workersDone.catch(() => undefined);
    try {
      if (this.#mainThread) {
        for (;;) {
          if (signal?.aborted) break;
          const next = Atomics.add(counter, 0, 1);
          if (next >= batches.length) break;
          logits[next] = await batchAnswerLogits(this.model, batches[next]!.map((i) => sequences[i]!), this.answers);
          this.#batchesPerThread[0]! += 1;
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
    signal?.throwIfAborted();
    const scores = new Array<YesNoScore>(sequences.length);
    batches.forEach((batch, b) => {
      const values = logits[b]!;
      batch.forEach((index, row) => (scores[index] = yesNoScore(values[row * 2]!, values[row * 2 + 1]!)));
    });
    return scores;
  }

  override dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { worker } of this.#workers) {
      worker.postMessage({ type: 'dispose' } satisfies ScoringThreadRequest);
      // The worker frees its LM and closes its port; terminate in case it is stuck in a batch.
      setTimeout(() => void worker.terminate(), 5000).unref();
    }
    super.dispose();
  }
}

/** Resolves when a worker has loaded its LM; rejects when it fails to, crashes or exits first. */
function workerLoaded(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: ScoreError) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (message: ScoringThreadMessage) => {
      if (message.type === 'ready') settle();
      else if (message.type === 'failed') settle(workerError('A scoring thread could not load the LM', message.error));
    };
    const onError = (error: Error) => settle(new ScoreError(`A scoring thread crashed while loading: ${error.message}`, { code: 'WORKER_FAILED', cause: error }));
    const onExit = (code: number) => settle(new ScoreError(`A scoring thread exited while loading (code ${code}).`, { code: 'WORKER_FAILED' }));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Opens the recommender LM of `source` for scoring on several threads: the LM on the calling
 * thread (prompt encoding, `generate`, and a share of the batches unless `mainThread` is false)
 * and `threads - 1` worker threads (`threads` without the main thread) that load the same source
 * with the same tfjs backend. With one thread and `mainThread` it returns the plain LM. Call
 * `dispose()` to free the LM and stop the workers.
 * @example
 * const lm = await openThreadedRecLm({ kind: 'hugging-face', dir: 'runs/demo/rec/models/score' }, { threads: 2 });
 * const scores = await lm.scoreYesNo(prompts); // bitwise those of one thread
 * lm.dispose();
 */
export async function openThreadedRecLm(source: RecLmSource, options: ThreadedRecLmOptions): Promise<InProcessLanguageModel> {
  checkInteger('threads', options.threads, 1);
  const mainThread = options.mainThread ?? true;
  const lm = await loadRecLmSource(source);
  const count = mainThread ? options.threads - 1 : options.threads;
  if (count === 0) return lm;
  const backend = tf.getBackend();
  const workers = Array.from({ length: count }, () => startWorker(source, backend));
  try {
    await Promise.all(workers.map((worker) => workerLoaded(worker)));
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    lm.dispose();
    throw error;
  }
  return new ThreadedRecLm(lm, workers, mainThread);
}
