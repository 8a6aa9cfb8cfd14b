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

/** Reorders candidates for a query (SARE: the filled basic prompt P^b). */
export interface Reranker {
  readonly modelId: string;
  /** The `topK` best candidates, best first. */
  rerank(query: string, candidates: readonly RerankCandidate[], topK: number): Promise<RerankResult[]>;
  dispose(): void | Promise<void>;
}
