import { InvalidOptionError, type LanguageModel, type YesNoScore } from '@score/core';
import { type AbortableEntry, enqueueAbortable, forgetAbort } from './abortable-queue';

/** Options of {@link LmBatcher}. */
export interface LmBatcherOptions {
  /**
   * Most prompts sent to `scoreYesNo` in one call; a full batch is sent at once.
   * @defaultValue 16
   */
  readonly maxBatchSize?: number;
  /**
   * How long the first prompt of a batch waits for others, in milliseconds.
   * @defaultValue 2
   */
  readonly windowMs?: number;
  /**
   * Most `scoreYesNo` calls in flight at once; prompts arriving meanwhile gather into the next batch.
   * @defaultValue 1
   */
  readonly maxConcurrentBatches?: number;
  /**
   * Called once per language-model call with its prompt count and each prompt's wait in the queue (metrics).
   * @defaultValue none
   */
  readonly onBatch?: (event: { readonly size: number; readonly queueWaitMs: readonly number[] }) => void;
}

interface Pending extends AbortableEntry {
  readonly prompt: string;
  readonly resolve: (score: YesNoScore) => void;
}

/**
 * Micro-batching in front of a {@link LanguageModel}: prompts of concurrent requests that arrive
 * within `windowMs` (or until `maxBatchSize`) go to `scoreYesNo` in one call, and each caller gets
 * its own score. When a batch of several prompts fails, each prompt is retried alone once, so an
 * error reaches only the callers whose prompt fails. A caller whose signal aborts before its batch
 * is sent is removed from it.
 */
export class LmBatcher {
  readonly #model: LanguageModel;
  readonly #maxBatchSize: number;
  readonly #windowMs: number;
  readonly #maxConcurrent: number;
  readonly #onBatch: LmBatcherOptions['onBatch'];
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #calls = 0;
  #prompts = 0;

  constructor(model: LanguageModel, options: LmBatcherOptions = {}) {
    this.#model = model;
    this.#maxBatchSize = integerOption('maxBatchSize', options.maxBatchSize ?? 16, 1);
    this.#windowMs = integerOption('windowMs', options.windowMs ?? 2, 0);
    this.#maxConcurrent = integerOption('maxConcurrentBatches', options.maxConcurrentBatches ?? 1, 1);
    this.#onBatch = options.onBatch;
  }

  /** P(yes) of one prompt (method.md Eq. 14), scored together with concurrent prompts. */
  score(prompt: string, signal?: AbortSignal): Promise<YesNoScore> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<YesNoScore>((resolve, reject) => {
      enqueueAbortable(this.#queue, signal, (onAbort) => ({ prompt, resolve, reject, signal, onAbort, queuedAt: performance.now() }));
      this.#schedule();
    });
  }

  /** `scoreYesNo` calls made and prompts scored so far. */
  get stats(): { readonly calls: number; readonly prompts: number } {
    return { calls: this.#calls, prompts: this.#prompts };
  }

  #schedule(): void {
    if (this.#inFlight >= this.#maxConcurrent || this.#queue.length === 0) return;
    if (this.#queue.length >= this.#maxBatchSize || this.#windowMs === 0) {
      this.#dispatch();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#dispatch();
    }, this.#windowMs);
  }

  #dispatch(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#inFlight >= this.#maxConcurrent || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#maxBatchSize);
    for (const entry of batch) forgetAbort(entry);
    if (this.#onBatch) {
      const now = performance.now();
      this.#onBatch({ size: batch.length, queueWaitMs: batch.map((entry) => now - entry.queuedAt) });
    }
    this.#inFlight += 1;
    void this.#run(batch).finally(() => {
      this.#inFlight -= 1;
      this.#schedule();
    });
    if (this.#queue.length > 0) this.#schedule();
  }

  async #call(prompts: readonly string[]): Promise<YesNoScore[]> {
    this.#calls += 1;
    this.#prompts += prompts.length;
    const scores = await this.#model.scoreYesNo(prompts);
    if (!Array.isArray(scores) || scores.length !== prompts.length) {
      throw new RangeError(`${this.#model.provider} ${this.#model.modelId} returned ${Array.isArray(scores) ? scores.length : 'no'} scores for ${prompts.length} prompts.`);
    }
    return scores;
  }

  async #run(batch: readonly Pending[]): Promise<void> {
    try {
      const scores = await this.#call(batch.map((entry) => entry.prompt));
      batch.forEach((entry, index) => entry.resolve(scores[index]));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
    }
    // The batch failed: score each prompt alone so that only the failing callers see an error.
    await Promise.all(
      batch.map(async (entry) => {
        try {
          entry.resolve((await this.#call([entry.prompt]))[0]);
        } catch (error) {
          entry.reject(error);
        }
      }),
    );
  }
}

function integerOption(field: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new InvalidOptionError(field, `must be an integer >= ${minimum}, got ${value}.`, value);
  }
  return value;
}
