/** What {@link enqueueAbortable} needs of a queue entry. */
export interface AbortableEntry {
  /** Rejects the caller's promise. */
  readonly reject: (reason: unknown) => void;
  /** The caller's signal, if any. */
  readonly signal?: AbortSignal;
  /** The listener {@link enqueueAbortable} put on `signal` (see {@link forgetAbort}). */
  readonly onAbort?: () => void;
  /** When the entry was queued (`performance.now()`), for queue-wait figures. */
  readonly queuedAt: number;
}

/**
 * Appends the entry that `make(onAbort)` builds to `queue`, where `onAbort` (given when `signal` is)
 * takes the entry out of the queue again and rejects it with the signal's reason if the signal aborts
 * while the entry still waits (then `onCancelled` runs). An entry taken from the queue must drop the
 * listener with {@link forgetAbort}: once running, an abort no longer concerns the queue. Shared by the
 * micro-batcher (prompts waiting for a language-model call) and the worker pool (jobs waiting for a worker).
 */
export function enqueueAbortable<E extends AbortableEntry>(queue: E[], signal: AbortSignal | undefined, make: (onAbort: (() => void) | undefined) => E, onCancelled?: () => void): E {
  const onAbort = signal
    ? () => {
        const index = queue.indexOf(entry);
        if (index === -1) return;
        queue.splice(index, 1);
        onCancelled?.();
        entry.reject(signal.reason);
      }
    : undefined;
  const entry = make(onAbort);
  if (signal && onAbort) signal.addEventListener('abort', onAbort, { once: true });
  queue.push(entry);
  return entry;
}

/** Removes the abort listener {@link enqueueAbortable} put on an entry's signal (call it when the entry leaves the queue to run). */
export function forgetAbort(entry: AbortableEntry): void {
  if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
}
