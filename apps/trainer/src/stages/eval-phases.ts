import type { RerankCandidate, Reranker, RerankRequest, RerankResult, RetrievalTarget, RetrievedUser, UserRetriever } from '@score/core';

/** The phases of the eval stage that {@link PhaseClock} times. */
export type EvalPhase = 'retrieval' | 'reranking' | 'prompts' | 'scoring' | 'metrics';

/** Seconds per phase, as written in the eval stage's summary (`phases`). */
export type PhaseSeconds = Record<EvalPhase, number>;

/**
 * Wall time per phase. Calls of one phase that overlap (retrievals and reranks run a few at once)
 * count once: a phase's time is the union of its calls' intervals, so the phases add up to at most
 * the stage's wall time.
 */
export class PhaseClock {
  readonly #seconds: PhaseSeconds = { retrieval: 0, reranking: 0, prompts: 0, scoring: 0, metrics: 0 };
  readonly #active = new Map<EvalPhase, { count: number; since: number }>();

  /** Runs `work`, counting its wall time to `phase`. */
  async time<T>(phase: EvalPhase, work: () => Promise<T> | T): Promise<T> {
    const state = this.#active.get(phase) ?? { count: 0, since: 0 };
    if (state.count === 0) state.since = performance.now();
    state.count += 1;
    this.#active.set(phase, state);
    try {
      return await work();
    } finally {
      state.count -= 1;
      if (state.count === 0) this.#seconds[phase] += (performance.now() - state.since) / 1000;
    }
  }

  /** Adds seconds measured elsewhere (e.g. prompt building net of the nested retrieval and reranking). */
  add(phase: EvalPhase, seconds: number): void {
    this.#seconds[phase] += Math.max(0, seconds);
  }

  /** Seconds so far in `phase`. */
  seconds(phase: EvalPhase): number {
    return this.#seconds[phase];
  }

  /** Seconds per phase, rounded to milliseconds. */
  snapshot(): PhaseSeconds {
    const round = (value: number) => Math.round(value * 1000) / 1000;
    return { retrieval: round(this.#seconds.retrieval), reranking: round(this.#seconds.reranking), prompts: round(this.#seconds.prompts), scoring: round(this.#seconds.scoring), metrics: round(this.#seconds.metrics) };
  }

  /** A retriever that counts its calls to `retrieval` (keeps `retrieveBatch` where the retriever has one). */
  retriever(inner: UserRetriever): UserRetriever {
    const batch = (inner as Partial<{ retrieveBatch(targets: readonly RetrievalTarget[], k: number): Promise<RetrievedUser[][]> }>).retrieveBatch;
    const timed: UserRetriever = {
      variant: inner.variant,
      retrieve: (target, k) => this.time('retrieval', () => inner.retrieve(target, k)),
      dispose: () => inner.dispose(),
    };
    if (typeof batch === 'function') {
      Object.assign(timed, { retrieveBatch: (targets: readonly RetrievalTarget[], k: number) => this.time('retrieval', () => batch.call(inner, targets, k)) });
    }
    return timed;
  }

  /** A reranker that counts its calls to `reranking` (keeps `rerankMany` where the reranker has one). */
  reranker(inner: Reranker): Reranker {
    const timed: Reranker = {
      modelId: inner.modelId,
      rerank: (query: string, candidates: readonly RerankCandidate[], topK: number): Promise<RerankResult[]> => this.time('reranking', () => inner.rerank(query, candidates, topK)),
      dispose: () => inner.dispose(),
    };
    const many = inner.rerankMany;
    if (typeof many === 'function') Object.assign(timed, { rerankMany: (requests: readonly RerankRequest[]) => this.time('reranking', () => many.call(inner, requests)) });
    return timed;
  }
}
