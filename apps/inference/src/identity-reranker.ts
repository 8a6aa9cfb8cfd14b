import { checkInteger, type RerankCandidate, type Reranker, type RerankResult } from '@score/core';

/**
 * A {@link Reranker} that keeps the retriever's order: the fallback used until SARE's artifacts
 * are plugged in (see `loadRunComponents`). It returns the first `topK` candidates with the
 * reciprocal rank 1 / (1 + position) as score, so scores still decrease down the list.
 */
export function createIdentityReranker(): Reranker {
  return {
    modelId: 'identity',
    async rerank(_query: string, candidates: readonly RerankCandidate[], topK: number): Promise<RerankResult[]> {
      checkInteger('topK', topK, 0);
      return candidates.slice(0, topK).map((candidate, index) => ({ id: candidate.id, text: candidate.text, score: 1 / (1 + index) }));
    },
    dispose() {},
  };
}
