import path from 'node:path';
import { ArtifactNotFoundError } from '@score/core';
import type { CommandContext } from '../cli/command-context';
import { loadConfig } from '../config/load-config';
import { mergeLayers } from '../config/parse-overrides';
import type { ScoreConfig } from '../config/config-schema';
import { MANIFEST_FILE, readManifest } from '../pipeline/manifest';
import { runPipeline, type StageReport } from '../pipeline/run-pipeline';
import type { StageName } from '../pipeline/stage';
import type { StageRegistry } from '../pipeline/stage-registry';

/** What a one-stage command gets back: the stage's report and the config it ran with. */
export interface StageCommandResult {
  readonly runDir: string;
  readonly stage: StageReport;
  readonly config: ScoreConfig;
}

/**
 * Runs one stage of an existing run folder, as `score-train <stage> --run DIR` does: the run's
 * config (from its manifest) with the command's flags layered on top, through the pipeline runner,
 * so standalone commands and `score-train run` write the same artifacts and manifest.
 */
export async function runSingleStage(stage: StageName, runDirFlag: string, overrides: Record<string, unknown>, context: CommandContext, registry: StageRegistry): Promise<StageCommandResult> {
  const runDir = path.resolve(runDirFlag);
  const manifest = await readManifest(runDir);
  if (!manifest) throw new ArtifactNotFoundError(path.join(runDir, MANIFEST_FILE), 'Run folder manifest', 'prepare');
  // Flags not given are undefined: drop them (a merge would read undefined as "remove the key").
  const given = JSON.parse(JSON.stringify(overrides)) as Record<string, unknown>;
  const values = mergeLayers(manifest.config, { ...given, run: { ...manifest.config.run, dir: runDir } }) as Record<string, unknown>;
  const { config, hash } = loadConfig({ values });
  const report = await runPipeline({
    config,
    configHash: hash,
    stages: registry.stages(),
    runDir,
    only: [stage],
    logger: context.logger,
    onProgress: context.onProgress,
  });
  return { runDir, stage: report.stages.find((entry) => entry.name === stage)!, config };
}
