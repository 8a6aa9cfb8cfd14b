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

/**
 * The language model returned a probability or logit that is not a finite number (e.g. corrupt
 * weights): the request fails with HTTP 500 and this code instead of answering 200 with `null`.
 */
export class NonFiniteScoreError extends ScoreError {
  constructor(provider: string, modelId: string, values: { probability: number; yes: number; no: number }) {
    super(
      `The language model (${provider} ${modelId}) returned a non-finite score (P(yes) ${values.probability}, logits yes ${values.yes}, no ${values.no}); its weights may be corrupt: check the run with \`score-serve --verify hash\`.`,
      { code: 'NON_FINITE_SCORE' },
    );
  }
}
