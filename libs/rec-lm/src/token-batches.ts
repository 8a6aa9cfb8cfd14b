import type { ProgressCallback } from '@score/core';
import type { EpochContext, RandomSource, TrainingReport } from '@score/tfjs-runtime';

/** Batches of similar length: indices sorted by length plus a random jitter, chunked, chunks shuffled. @internal */
export function lengthBatches(lengths: readonly number[], batchSize: number, random: RandomSource): number[][] {
  const keys = lengths.map((length) => length + random() * 16);
  const order = lengths.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

/**
 * The token batches of an LM trainer on `trainModel` (trainRecLm, pretrainRecLm) and their
 * throughput: real (unpadded) tokens per epoch and in all, added to the loop's progress events as
 * `tokensPerSecond`. @internal
 */
export class TokenBatches {
  #epochStart = performance.now();
  #epochTokens = 0;
  #totalTokens = 0;

  /** @param lengths - the token count of every training sequence. */
  constructor(private readonly lengths: readonly number[]) {}

  /** One epoch's {@link lengthBatches} (sequence indices), counting their tokens. */
  *epoch(context: EpochContext): Iterable<number[]> {
    this.#epochStart = performance.now();
    this.#epochTokens = 0;
    for (const batch of lengthBatches(this.lengths, context.batchSize, context.random)) {
      const tokens = batch.reduce((sum, i) => sum + this.lengths[i]!, 0);
      this.#epochTokens += tokens;
      this.#totalTokens += tokens;
      yield batch;
    }
  }

  /** `onProgress` with the events' task set to `task` and, but for the final event, the epoch's tokens/s added; undefined without one. */
  progress(task: string, onProgress: ProgressCallback | undefined): ProgressCallback | undefined {
    if (!onProgress) return undefined;
    return (event) => {
      const seconds = (performance.now() - this.#epochStart) / 1000;
      onProgress({ ...event, task, metrics: { ...event.metrics, ...(event.finished ? {} : { tokensPerSecond: this.#epochTokens / Math.max(seconds, 1e-9) }) } });
    };
  }

  /** Tokens per second of training over all the report's epochs (validation excluded). */
  tokensPerSecond(report: TrainingReport): number {
    const seconds = report.secondsPerEpoch * report.epochs;
    return seconds > 0 ? this.#totalTokens / seconds : 0;
  }
}
