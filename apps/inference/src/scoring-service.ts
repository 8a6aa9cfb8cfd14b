import type { Item, ItemId, UserId } from '@score/core';
import type { RankRequest, ScoreRequest } from './schemas';

/** A similar user shown to the LLM: CAR's retrieval score and SARE's rerank score. */
export interface SimilarUser {
  readonly userId: UserId;
  /** The behaviour text put in the prompt (d(H(u_i)), method.md Stage 3). */
  readonly behaviour: string;
  /** The retriever's (CAR's) score. */
  readonly carScore: number;
  /** The reranker's (SARE's) score. */
  readonly sareScore: number;
}

/** Milliseconds spent in each step of one request. */
export interface ScoreTimings {
  /** Target resolution and retrieval (near 0 when the retrieval cache hits). */
  readonly retrieve: number;
  readonly rerank: number;
  /** Waiting for and running the language model (includes the batching window). */
  readonly lm: number;
  readonly total: number;
}

/** What `POST /v1/score` returns (method.md Eq. 14). */
export interface ScoreResult {
  /** P(yes) = softmax over the "Yes" and "No" logits. */
  readonly probability: number;
  readonly logits: { readonly yes: number; readonly no: number };
  /** The K_s similar users in the prompt, best first. */
  readonly similarUsers: readonly SimilarUser[];
  /** The prompt sent to the language model (P^s, or P^b when no similar user was found). */
  readonly prompt: string;
  readonly timingsMs: ScoreTimings;
}

/** One candidate of a {@link RankResult}. */
export interface RankedItem {
  /** The candidate's id (`inline-N` for the N-th inline item without an id). */
  readonly itemId: string;
  /** P(yes) of the candidate for the user. */
  readonly probability: number;
  readonly logits: { readonly yes: number; readonly no: number };
  /** The prompt scored. */
  readonly prompt: string;
}

/** What `POST /v1/rank` returns. */
export interface RankResult {
  /** The best `topK` candidates, highest P(yes) first (ties keep the request's order). */
  readonly ranked: readonly RankedItem[];
  /** How many candidates were scored. */
  readonly candidates: number;
  /** The K_s similar users put into every candidate's prompt (retrieved and reranked once for the user). */
  readonly similarUsers: readonly SimilarUser[];
  readonly timingsMs: ScoreTimings;
}

/** A retrieve request has the shape of a score request (the target item is SARE's query). */
export type RetrieveRequest = ScoreRequest;

/** Options of one service call. */
export interface ScoreCallOptions {
  /** Aborts the call (e.g. the request timed out); the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * The scoring service behind the HTTP endpoints and `score-infer`: CAR retrieval, SARE reranking
 * and the recommender LM's Yes/No score over one run folder. Requests are validated already
 * (see `schemas.ts`); unknown ids throw `UnknownIdError`.
 */
export interface ScoringService {
  /** Whether models are loaded and calls are served. */
  readonly ready: boolean;
  /** Scores one (user, item) pair. */
  score(request: ScoreRequest, options?: ScoreCallOptions): Promise<ScoreResult>;
  /** Scores many pairs; results in request order. */
  scoreBatch(requests: readonly ScoreRequest[], options?: ScoreCallOptions): Promise<ScoreResult[]>;
  /**
   * {@link ScoringService.scoreBatch}'s answer as `POST /v1/score/batch` sends it: the UTF-8 bytes of
   * `JSON.stringify({ results })`. A service whose workers score the pairs has them serialise their
   * results, so the server's thread neither builds nor stringifies them. Optional: without it the
   * server stringifies `scoreBatch`'s results.
   */
  scoreBatchJson?(requests: readonly ScoreRequest[], options?: ScoreCallOptions): Promise<Uint8Array>;
  /**
   * Ranks up to 500 candidate items for one user: CAR retrieval and SARE reranking run once for
   * the user (SARE's query is the user's history), then every candidate's P^s is scored.
   */
  rank(request: RankRequest, options?: ScoreCallOptions): Promise<RankResult>;
  /** CAR retrieval and SARE reranking alone: the K_s similar users, best first. */
  retrieve(request: RetrieveRequest, options?: ScoreCallOptions): Promise<SimilarUser[]>;
  /** An item of the run's catalogue. */
  item(id: ItemId): Item | undefined;
  /** Whether the run's dataset knows the user. */
  hasUser(id: UserId): boolean;
  /** Frees the models. */
  dispose(): Promise<void>;
}
