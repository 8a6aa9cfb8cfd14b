import { ScoreError, UnknownIdError } from '@score/core';

/** A request names a user or item the run does not know; `field` is the request field. */
export class UnknownRequestIdError extends UnknownIdError {
  /** The request field holding the id, e.g. "userId" or "requests[2].history[0]". */
  readonly field: string;

  constructor(kind: 'user' | 'item', id: string, field: string) {
    super(kind, [id], 1, `in "${field}"`);
    this.field = field;
  }
}

/** The service is still loading its models (HTTP 503). */
export class ServiceNotReadyError extends ScoreError {
  constructor(reason = 'The scoring service is still loading its models; retry when GET /readyz answers 200.') {
    super(reason, { code: 'NOT_READY' });
  }
}

/** A request ran past its time limit (HTTP 504). */
export class RequestTimeoutError extends ScoreError {
  /** The limit, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`The request did not finish within ${timeoutMs} ms; retry later or raise the server's request timeout.`, { code: 'TIMEOUT' });
    this.timeoutMs = timeoutMs;
  }
}
