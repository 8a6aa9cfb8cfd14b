import type { ItemId, UserId } from './ids';

/** Who CAR retrieves similar users for, and as of when (leakage rule). */
export interface RetrievalTarget {
  readonly userId?: UserId;
  /** The target's history (oldest first). */
  readonly history: readonly ItemId[];
  /** Only behaviour from strictly before this time (seconds) may be returned. */
  readonly before: number;
}

/** A retrieved similar user with the behaviour text shown to the LLM. */
export interface RetrievedUser {
  readonly userId: UserId;
  readonly behaviour: string;
  readonly score: number;
}

/** Retrieves collaboratively similar users (CAR, the untuned base retriever, or CRM neighbours). */
export interface UserRetriever {
  readonly variant: string;
  retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]>;
  dispose(): void | Promise<void>;
}
