import { type BatchThreadMessage, type BatchThreadRequest, BatchThreads, checkInteger, type YesNoScore } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import { InProcessLanguageModel } from './in-process-language-model';
import { loadRecLmSource, type RecLmSource } from './rec-lm-source';
import { batchAnswerLogits, batchesByLength, yesNoScore } from './yes-no-scoring';

/** A job for a scoring thread (`BatchThreadRequest` of `@score/core`): every prompt's tokens (flat) and the batches, numbered; threads take numbers from its counter. */
export type ScoringThreadRequest = BatchThreadRequest;

/** A scoring thread's message (`BatchThreadMessage` of `@score/core`): loaded (or not), and a job's logits per batch it took. */
export type ScoringThreadMessage = BatchThreadMessage;

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
  readonly #threads: BatchThreads;
  readonly #mainThread: boolean;
  #localBatches = 0;
  #closed = false;

  /** Use {@link openThreadedRecLm}; `lm` hands its model over (dispose this one, not `lm`). */
  constructor(lm: InProcessLanguageModel, threads: BatchThreads, mainThread: boolean) {
    super(lm.options);
    this.#threads = threads;
    this.#mainThread = mainThread;
  }

  /** Batches each thread has scored so far (the calling thread first when it scores). */
  get stats(): ThreadedRecLmStats {
    return { batchesPerThread: [...(this.#mainThread ? [this.#localBatches] : []), ...this.#threads.batchesPerWorker] };
  }

  protected override async scoreSequences(sequences: readonly (readonly number[])[], batchSize: number, signal?: AbortSignal): Promise<YesNoScore[]> {
    const batches = batchesByLength(sequences.map((s) => s.length), batchSize);
    const local = this.#mainThread ? (b: number) => batchAnswerLogits(this.model, batches[b]!.map((i) => sequences[i]!), this.answers) : undefined;
    const { values: logits, localBatches } = await this.#threads.run(sequences, batches, local, signal ? { signal } : {});
    this.#localBatches += localBatches;
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
    this.#threads.dispose();
    super.dispose();
  }
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
  // From the TypeScript sources (the repository, tests) the worker runs through tsx, as apps/inference's workers.
  const entry = new URL(import.meta.url.endsWith('.ts') ? './scoring-thread.ts' : './scoring-thread.js', import.meta.url);
  let threads: BatchThreads;
  try {
    threads = await BatchThreads.start({ entry, workerData: { source, backend: tf.getBackend() }, count, name: 'scoring thread', model: 'the LM' });
  } catch (error) {
    lm.dispose();
    throw error;
  }
  return new ThreadedRecLm(lm, threads, mainThread);
}
