/** A candidate for reranking: a user (or document) id and its text. */
export interface RerankCandidate {
  readonly id: string;
  readonly text: string;
}

/** A reranked candidate with the reranker's score (higher = more relevant). */
export interface RerankResult {
  readonly id: string;
  readonly text: string;
  readonly score: number;
}

/** One query and its candidates, for {@link Reranker.rerankMany}. */
export interface RerankRequest {
  readonly query: string;
  readonly candidates: readonly RerankCandidate[];
  /** How many of the best candidates to return. */
  readonly topK: number;
}

/** Reorders candidates for a query (SARE: the filled basic prompt P^b). */
export interface Reranker {
  readonly modelId: string;
  /** The `topK` best candidates, best first. */
  rerank(query: string, candidates: readonly RerankCandidate[], topK: number): Promise<RerankResult[]>;
  /**
   * `rerank` for many queries at once (one encoder call for all their texts, where the reranker
   * can), results in request order. Optional: callers fall back to `rerank` per request.
   */
  rerankMany?(requests: readonly RerankRequest[]): Promise<RerankResult[][]>;
  dispose(): void | Promise<void>;
}
