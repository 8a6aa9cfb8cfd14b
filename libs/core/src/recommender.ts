import type { Dataset } from './dataset';
import type { ItemId, UserId } from './ids';
import type { Float32Matrix } from './matrix';
import type { Logger, ProgressCallback } from './progress';

/** What a recommender scores: a history (oldest first) and a target item. */
export interface ScoringInput {
  readonly history: readonly ItemId[];
  readonly itemId: ItemId;
  /** Optional, for models that use it (e.g. MF's user factor). */
  readonly userId?: UserId;
}

/** Options of {@link CollaborativeRecommender.fit}. */
export interface RecommenderFitOptions {
  /** Called with training progress (epochs, loss, rows/s). */
  readonly onProgress?: ProgressCallback;
  readonly logger?: Logger;
  /** Stops training early when aborted; the best weights so far are kept. */
  readonly signal?: AbortSignal;
}

/** What {@link CollaborativeRecommender.fit} reports. */
export interface RecommenderFitReport {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValidAuc: number;
  readonly secondsPerEpoch: number;
  readonly history: readonly { readonly epoch: number; readonly loss: number; readonly validAuc: number }[];
}

/**
 * A conventional (collaborative / sequential) recommender, stage 0 of SCoRe: SASRec, MF, or
 * any other model that can score rows and embed users (method.md, Eq. 3-4).
 */
export interface CollaborativeRecommender {
  /** Model family, e.g. "sasrec", "mf". */
  readonly name: string;
  /** Size of a user embedding. */
  readonly embeddingDimensions: number;
  /** Trains on the dataset's train split, early-stopping on valid. */
  fit(dataset: Dataset, options?: RecommenderFitOptions): Promise<RecommenderFitReport>;
  /** P(like) for each input, in order. */
  scoreRows(inputs: readonly ScoringInput[]): Promise<Float32Array>;
  /** e_u for each history (batched), one matrix row per input. */
  userEmbeddings(inputs: readonly { readonly history: readonly ItemId[]; readonly userId?: UserId }[]): Promise<Float32Matrix>;
  /** Saves weights and config into `dir` (written to temp names, then renamed). */
  save(dir: string): Promise<void>;
  /** Frees tensors and native memory. */
  dispose(): void;
}
