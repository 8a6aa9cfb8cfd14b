import { DimensionMismatchError, type Float32Matrix, InvalidOptionError, type TextEmbeddingModel, type UserId, cosineSimilarity, checkMethods, checkObject } from '@score/core';

/** A retrieved user and its behaviour text d(H(u_i)). */
export interface BehaviourCandidate {
  readonly userId: UserId;
  readonly behaviour: string;
}

/** A candidate's place in the ranking O: its cosine with the assessment. */
export interface AssessmentRankedUser {
  readonly userId: UserId;
  /** cos(TxtEmb(r_t), TxtEmb(d(H(u_i)))). */
  readonly score: number;
}

/** Options of {@link rankByAssessment}. */
export interface RankByAssessmentOptions {
  /** The assessment r_t. */
  readonly assessmentText: string;
  /** The K_e retrieved users (user ids must be unique). */
  readonly candidates: readonly BehaviourCandidate[];
  /** The fixed text embedder TxtEmb (never trained here). */
  readonly embedder: TextEmbeddingModel;
  /** Cancels the embedding. */
  readonly signal?: AbortSignal;
}

/**
 * Ranking generation (method.md Eq. 8-9): embeds the assessment and every candidate's behaviour
 * text with the fixed embedder and orders the candidates by cosine with the assessment, highest
 * first (ties keep the candidates' order). The result is O(u_t, v_t).
 */
export async function rankByAssessment(options: RankByAssessmentOptions): Promise<AssessmentRankedUser[]> {
  checkObject('options', options);
  if (typeof options.assessmentText !== 'string') throw new InvalidOptionError('assessmentText', 'must be a string (the assessment r_t).', options.assessmentText);
  checkMethods('embedder', options.embedder, ['embed'], 'a TextEmbeddingModel');
  checkCandidates(options.candidates);
  if (options.candidates.length === 0) return [];
  const matrix = await options.embedder.embed([options.assessmentText, ...options.candidates.map((candidate) => candidate.behaviour)], { signal: options.signal });
  return orderByCosine(matrix, 0, options.candidates, 1);
}

/** Checks a candidate list: an array of { userId, behaviour } with unique user ids. */
export function checkCandidates(candidates: unknown, field = 'candidates'): asserts candidates is readonly BehaviourCandidate[] {
  if (!Array.isArray(candidates)) throw new InvalidOptionError(field, 'must be an array of { userId, behaviour }.', candidates);
  const seen = new Set<string>();
  candidates.forEach((candidate: BehaviourCandidate, index) => {
    if (candidate === null || typeof candidate !== 'object' || typeof candidate.userId !== 'string' || typeof candidate.behaviour !== 'string') {
      throw new InvalidOptionError(`${field}[${index}]`, 'must be an object { userId: string, behaviour: string }.', candidate);
    }
    if (seen.has(candidate.userId)) throw new InvalidOptionError(`${field}[${index}].userId`, `${JSON.stringify(candidate.userId)} appears twice; each user may be a candidate once.`, candidate.userId);
    seen.add(candidate.userId);
  });
}

/**
 * Orders `candidates` by the cosine between row `queryRow` of `matrix` and rows
 * `firstCandidateRow..firstCandidateRow + candidates.length - 1` (Eq. 9), highest first.
 */
export function orderByCosine(matrix: Float32Matrix, queryRow: number, candidates: readonly BehaviourCandidate[], firstCandidateRow: number): AssessmentRankedUser[] {
  const width = matrix.cols;
  if (firstCandidateRow + candidates.length > matrix.rows) {
    throw new DimensionMismatchError('The embedding matrix (rows)', firstCandidateRow + candidates.length, matrix.rows);
  }
  const query = matrix.data.subarray(queryRow * width, (queryRow + 1) * width);
  const scored = candidates.map((candidate, index) => {
    const row = matrix.data.subarray((firstCandidateRow + index) * width, (firstCandidateRow + index + 1) * width);
    return { userId: candidate.userId, score: cosineSimilarity(query, row), index };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map(({ userId, score }) => ({ userId, score }));
}

