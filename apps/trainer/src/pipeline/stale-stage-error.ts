import { ScoreError } from '@score/core';
import type { StaleStage } from '@score/data';

/** A stage was asked to run alone on the output of an upstream stage that no longer matches its own inputs. */
export class StaleStageError extends ScoreError {
  /** The stage that was asked to run. */
  readonly stage: string;
  /** The stale upstream stage and why it is stale. */
  readonly upstream: StaleStage;

  constructor(stage: string, upstream: StaleStage, runDir: string) {
    super(
      `Stage "${stage}" needs the output of stage "${upstream.stage}", which is stale (${upstream.reason}); redo "${upstream.stage}" first (\`score-train ${upstream.stage} --run ${runDir}\`), or run every stale stage with \`score-train run\` on this run's config.`,
      { code: 'STAGE_STALE' },
    );
    this.stage = stage;
    this.upstream = upstream;
  }
}
