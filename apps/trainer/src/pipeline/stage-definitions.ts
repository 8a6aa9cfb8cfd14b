import path from 'node:path';
import type { ScoreConfig } from '../config/config-schema';
import type { Stage, StageName } from './stage';

/** The input files a data source reads (fingerprinted so that a changed file reruns `prepare`). */
export function dataSourceFiles(config: ScoreConfig): string[] {
  const source = config.data.source;
  switch (source.kind) {
    case 'synthetic':
      return [];
    case 'ml-1m':
      return [path.join(source.dir, 'ratings.dat'), path.join(source.dir, 'movies.dat')];
    case 'ml-100k':
      return [path.join(source.dir, 'u.data'), path.join(source.dir, 'u.item')];
    case 'amazon':
      return [source.reviews, source.meta];
    case 'generic':
      return [source.interactions, source.items];
  }
}

/** The sweep points the rec stage tunes LMs for when `eval.retrainSweeps` is set (nothing otherwise, so the hash of other runs is unchanged). */
function sweepTraining(config: ScoreConfig): Record<string, unknown> {
  return config.eval.retrainSweeps ? { retrainSweeps: { retrieved: config.eval.retrievedSweep, kept: config.eval.keptSweep } } : {};
}

/** `encoders.inference` when it is not the default tfjs (nothing otherwise, so the hash of other runs is unchanged): onnxruntime's embeddings differ from tfjs's in the last float digits. */
function encoderInference(config: ScoreConfig): Record<string, unknown> {
  return config.encoders.inference === 'tfjs' ? {} : { inference: config.encoders.inference };
}

/**
 * The dependencies and config inputs of the seven SCoRe stages (method.md): prepare (data), crm
 * (stage 0), car (stage 1), assess and sare (stage 2), rec (stage 3), eval. A stage reruns when its
 * slice of the config, its input files or the output of a stage it depends on changes.
 */
export const STAGE_DEFINITIONS: Readonly<Record<StageName, Omit<Stage, 'run' | 'name'>>> = Object.freeze({
  prepare: { dependsOn: [], inputs: (config) => ({ config: { data: config.data }, files: dataSourceFiles(config).map((file) => path.resolve(file)) }) },
  crm: { dependsOn: ['prepare'], inputs: (config) => ({ config: { crm: config.crm, seed: config.run.seed } }) },
  car: { dependsOn: ['prepare', 'crm'], inputs: (config) => ({ config: { car: config.car, seed: config.run.seed, ...encoderInference(config) } }) },
  assess: { dependsOn: ['prepare', 'car'], inputs: (config) => ({ config: { assess: config.assess, retrieved: config.car.retrieved, seed: config.run.seed, ...encoderInference(config) } }) },
  sare: { dependsOn: ['prepare', 'car', 'assess'], inputs: (config) => ({ config: { sare: config.sare, seed: config.run.seed, ...encoderInference(config) } }) },
  rec: { dependsOn: ['prepare', 'car', 'sare'], inputs: (config) => ({ config: { rec: config.rec, retrieved: config.car.retrieved, kept: config.rec.kept ?? config.sare.kept, seed: config.run.seed, ...sweepTraining(config), ...encoderInference(config) } }) },
  eval: { dependsOn: ['prepare', 'crm', 'car', 'sare', 'rec'], inputs: (config) => ({ config: { eval: config.eval, rec: config.rec, retrieved: config.car.retrieved, kept: config.rec.kept ?? config.sare.kept, seed: config.run.seed, ...(config.run.seeds === undefined ? {} : { seeds: config.run.seeds, seedStages: config.run.seedStages }), ...encoderInference(config) } }) },
});
