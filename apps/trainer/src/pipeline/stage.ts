import type { Logger, ProgressCallback } from '@score/core';
import type { ScoreConfig } from '../config/config-schema';

/** The seven stages of SCoRe, in pipeline order. */
export const STAGE_NAMES = Object.freeze(['prepare', 'crm', 'car', 'assess', 'sare', 'rec', 'eval'] as const);

/** Name of one of the seven stages. */
export type StageName = (typeof STAGE_NAMES)[number];

/** What a stage gets while it runs. */
export interface StageContext {
  /** The stage's name. */
  readonly name: string;
  /** The resolved config of the run. */
  readonly config: ScoreConfig;
  /** sha256 of the resolved config. */
  readonly configHash: string;
  /** The run folder (absolute). */
  readonly runDir: string;
  /**
   * The folder the stage writes into: a temporary sibling of `<runDir>/<stage>`, renamed into place
   * only when the stage returns, so a failed or killed stage never leaves a half-written folder.
   */
  readonly outputDir: string;
  /**
   * The final folder of a finished upstream stage, e.g. `stageDir('prepare')`. Throws
   * `ArtifactNotFoundError` (naming the stage to run) when that stage has not finished.
   */
  stageDir(stage: string): string;
  /**
   * The absolute path of a file an upstream stage wrote (`artifact('crm', 'model/weights.safetensors')`).
   * Throws `ArtifactNotFoundError` naming the file and the stage that makes it when it is missing.
   */
  artifact(stage: string, relativePath: string): string;
  /** Where the stage logs (the CLI's logger). */
  readonly logger: Logger;
  /** Where the stage reports progress (the CLI's bars). */
  readonly onProgress: ProgressCallback;
  /** Aborted when the run is cancelled; long loops should stop early. */
  readonly signal: AbortSignal;
  /** The seed of the run (`run.seed`). */
  readonly seed: number;
}

/** What a stage may return: figures recorded in the manifest (metrics, counts, epochs). */
export interface StageResult {
  /** JSON-serialisable figures, stored as the stage's `summary` in manifest.json. */
  readonly summary?: Readonly<Record<string, unknown>>;
}

/** The body of a stage: writes its artifacts under `context.outputDir`. */
export type StageImplementation = (context: StageContext) => Promise<StageResult | void>;

/** What a stage's output depends on, besides its upstream stages' outputs. */
export interface StageInputs {
  /** The slice of the config the stage reads (hashed into its input hash). */
  readonly config: unknown;
  /** Input files outside the run folder (fingerprinted by size and modification time). @defaultValue [] */
  readonly files?: readonly string[];
}

/** One stage of a pipeline. */
export interface Stage {
  /** Name; also the name of its folder in the run folder. */
  readonly name: string;
  /** Stages whose artifacts it reads; they come earlier in the pipeline. */
  readonly dependsOn: readonly string[];
  /** Bump to make finished runs of this stage stale after a change of its code. @defaultValue 1 */
  readonly version?: number;
  /** The config slice and files its output depends on. */
  inputs(config: ScoreConfig): StageInputs;
  /** The implementation; a pipeline refuses to run a stage without one. */
  readonly run?: StageImplementation;
}
