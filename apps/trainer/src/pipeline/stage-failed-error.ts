import { ScoreError } from '@score/core';

/** A stage threw an error that is not a `ScoreError` (those are rethrown as they are). */
export class StageFailedError extends ScoreError {
  /** The stage that failed. */
  readonly stage: string;

  constructor(stage: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Stage "${stage}" failed: ${reason}${/[.!?]$/.test(reason) ? '' : '.'} Its previous output, if any, is kept; fix the cause and run again.`, { code: 'STAGE_FAILED', cause });
    this.stage = stage;
  }
}
