import type { Float32Matrix } from './matrix';

/** Options of one {@link TextEmbeddingModel.embed} call. */
export interface EmbedOptions {
  /** Texts encoded per forward pass. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/**
 * A text encoder: a batch of texts to a float32 matrix, one row per text. Used as CAR's
 * retriever, as the fixed embedder TxtEmb of self-assessment, and as SARE's encoder.
 */
export interface TextEmbeddingModel {
  /** Implementation and model, e.g. "onnx:all-MiniLM-L6-v2". */
  readonly modelId: string;
  /** Width of each embedding. */
  readonly dimensions: number;
  /** Whether rows are L2-normalised (then inner product = cosine). */
  readonly normalized: boolean;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Matrix>;
  dispose(): void | Promise<void>;
}
