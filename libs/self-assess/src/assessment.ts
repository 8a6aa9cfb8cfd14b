import type { Item, ItemId, TokenUsage, UserId } from '@score/core';

/**
 * A target (user, item) pair to assess: one labelled training row of the dataset, with its
 * history and target item resolved to items.
 */
export interface AssessmentPair {
  /**
   * Stable key of the pair, `<userId>:<itemId>@<timestamp>`; the assessments file is keyed by it,
   * so a rerun recognises finished pairs.
   */
  readonly id: string;
  /** Position of the row in `Dataset.rows`. */
  readonly rowIndex: number;
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly label: 0 | 1;
  /** Time of the row (seconds); retrieval for the pair only sees behaviour from before it. */
  readonly timestamp: number;
  /** The row's history H(u_t), oldest first (the most recent `maxHistory` items). */
  readonly history: readonly Item[];
  /** The target item v_t. */
  readonly target: Item;
}

/** One assessment r_t of a pair (method.md Eq. 7). */
export interface Assessment {
  /** The assessment text. */
  readonly text: string;
  /**
   * Who wrote it: `"metadata"` for the non-LLM fallback ({@link createMetadataAssessor}), or
   * `"llm:<modelId>"`.
   */
  readonly source: 'metadata' | `llm:${string}`;
  /** Tokens of the call, when an LLM wrote it and its server reported them. */
  readonly usage?: TokenUsage;
}

/** Options of one {@link Assessor.assess} call. */
export interface AssessCallOptions {
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

/** Writes the assessment r_t of a (user, item) pair. */
export interface Assessor {
  /** The `source` every assessment of this assessor carries (`"metadata"` or `"llm:<modelId>"`). */
  readonly source: Assessment['source'];
  assess(pair: AssessmentPair, options?: AssessCallOptions): Promise<Assessment>;
}

/** One line of `assessments.jsonl`: the pair's key fields and its assessment. */
export interface AssessmentRecord {
  /** {@link AssessmentPair.id}. */
  readonly id: string;
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly timestamp: number;
  readonly rowIndex: number;
  readonly source: Assessment['source'];
  readonly text: string;
  readonly usage?: TokenUsage;
}

/** The key of a pair: `<userId>:<itemId>@<timestamp>`. */
export function assessmentPairId(userId: UserId, itemId: ItemId, timestamp: number): string {
  return `${userId}:${itemId}@${timestamp}`;
}
