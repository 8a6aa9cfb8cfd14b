import type { ScoreConfig } from '../config/config-schema';
import type { Stage, StageContext } from './stage';

/** Folder (relative to the run folder) that holds the per-seed stage folders of the extra seeds. */
export const SEEDS_FOLDER = 'seeds';

/** Stages repeated for every seed whatever `run.seedStages` says. */
export const ALWAYS_SEEDED_STAGES: readonly string[] = Object.freeze(['rec', 'eval']);

/** The seeds of a run: `run.seeds`, or `[run.seed]` when it is not set. The first is always `run.seed`. */
export function runSeeds(config: ScoreConfig): readonly number[] {
  return config.run.seeds ?? [config.run.seed];
}

/**
 * The name (and folder, relative to the run folder) of a stage's run for one seed: the stage's own
 * name for `run.seed` (the usual layout), `seeds/<seed>/<stage>` for every other seed.
 */
export function seedStageName(config: ScoreConfig, stage: string, seed: number): string {
  return seed === config.run.seed ? stage : `${SEEDS_FOLDER}/${seed}/${stage}`;
}

/**
 * The stages repeated per seed: rec and eval, the stages of `run.seedStages`, and every stage that
 * depends (directly or not) on a repeated one, in pipeline order.
 */
export function repeatedStages(config: ScoreConfig, stages: readonly Stage[]): string[] {
  const repeated = new Set<string>([...ALWAYS_SEEDED_STAGES, ...(config.run.seedStages ?? [])]);
  for (const stage of stages) {
    if (stage.dependsOn.some((dependency) => repeated.has(dependency))) repeated.add(stage.name);
  }
  return stages.filter((stage) => repeated.has(stage.name)).map((stage) => stage.name);
}

function withSeed(config: ScoreConfig, seed: number): ScoreConfig {
  return { ...config, run: { ...config.run, seed } };
}

/**
 * Expands the pipeline's stages for `run.seeds` (see {@link runSeeds}). With one seed the stages are
 * returned unchanged. Otherwise every repeated stage ({@link repeatedStages}) also runs once per
 * extra seed S as the stage `seeds/S/<stage>` (its folder), with `context.seed` = S, its inputs
 * hashed with `run.seed` = S, and `stageDir`/`artifact` of a repeated upstream stage pointing at
 * the same seed's folder. The extra seeds' stages come before the last stage (eval) of `run.seed`,
 * which depends on their evals and gathers their metrics (mean and standard deviation per model).
 */
export function expandSeedStages(config: ScoreConfig, stages: readonly Stage[]): Stage[] {
  const seeds = runSeeds(config);
  if (seeds.length <= 1) return [...stages];
  const repeated = new Set(repeatedStages(config, stages));
  const last = stages[stages.length - 1];
  const extra: Stage[] = [];
  for (const seed of seeds.slice(1)) {
    const rename = (name: string) => (repeated.has(name) ? seedStageName(config, name, seed) : name);
    for (const stage of stages) {
      if (!repeated.has(stage.name)) continue;
      const run = stage.run;
      extra.push({
        name: rename(stage.name),
        dependsOn: stage.dependsOn.map(rename),
        ...(stage.version === undefined ? {} : { version: stage.version }),
        inputs: (resolved) => stage.inputs(withSeed(resolved, seed)),
        ...(run === undefined
          ? {}
          : {
              run: (context: StageContext) => {
                const seeded: StageContext = {
                  ...context,
                  seed,
                  stageDir: (name) => context.stageDir(rename(name)),
                  artifact: (name, relativePath) => context.artifact(rename(name), relativePath),
                };
                return run(seeded);
              },
            }),
      });
    }
  }
  const lastEvalNames = repeated.has(last.name) ? seeds.slice(1).map((seed) => seedStageName(config, last.name, seed)) : [];
  const main = stages.slice(0, -1);
  const finalStage: Stage = { ...last, dependsOn: [...last.dependsOn, ...lastEvalNames] };
  return [...main, ...extra, finalStage];
}
