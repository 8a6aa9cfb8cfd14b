import {
  describeValue,
  InvalidOptionError,
  silentLogger,
  type Dataset,
  type LanguageModel,
  type Logger,
  type Reranker,
  type UserRetriever,
} from '@score/core';
import fs from 'node:fs';
import path from 'node:path';
import { loadCarRetriever } from '@score/car-retriever';
import { assertRunFresh, loadDataset } from '@score/data';
import { loadSareReranker } from '@score/sare-reranker';
import { createLanguageModel, type LanguageModelOverrides } from '@score/llm-clients';
import { resolveModelSpec } from '@score/model-hub';
import { createIdentityReranker } from './identity-reranker';
import { createOverlapRetriever } from './overlap-retriever';
import { loadRunLanguageModel } from './run-language-model';
import { checkRunDir } from './verify-run';

/** The loaded parts of a run that the scoring service composes. */
export interface RunComponents {
  readonly dataset: Dataset;
  /** CAR (stage 1). */
  readonly retriever: UserRetriever;
  /** SARE (stage 2). */
  readonly reranker: Reranker;
  /** The recommender LM (stage 3). */
  readonly languageModel: LanguageModel;
}

/** What a component loader gets. */
export interface RunComponentContext {
  /** The run folder. */
  readonly runDir: string;
  /** The run's prepared dataset (already loaded). */
  readonly dataset: Dataset;
  readonly logger: Logger;
}

/**
 * The seam where each stage's artifacts are loaded from a run folder. Each loader is optional;
 * a missing one falls back to the default of {@link DEFAULT_RUN_COMPONENT_LOADERS}. When the stage
 * packages land, their loaders go here (e.g. `retriever: (c) => loadCarRetriever(c.runDir)`).
 */
export interface RunComponentLoaders {
  /** Loads CAR. @defaultValue the overlap retriever over the dataset's training positives */
  readonly retriever?: (context: RunComponentContext) => UserRetriever | Promise<UserRetriever>;
  /** Loads SARE. @defaultValue the identity reranker (keeps CAR's order) */
  readonly reranker?: (context: RunComponentContext) => Reranker | Promise<Reranker>;
  /**
   * Builds the language model for an `llm` spec: "inprocess" is the run's own recommender LM;
   * other specs are `@score/llm-clients` specs ("llamacpp:PATH", "openai:URL#MODEL", ...).
   * `llamacpp:model:NAME` names a model of the `@score/model-hub` registry (pulled on first use).
   * @defaultValue `loadRunLanguageModel(runDir)` for "inprocess"; `createLanguageModel(resolveModelSpec(spec))` for client specs
   */
  readonly languageModel?: (spec: string, context: RunComponentContext) => LanguageModel | Promise<LanguageModel>;
}

/** The loaders used when {@link LoadRunComponentsOptions.loaders} leaves one out. */
export const DEFAULT_RUN_COMPONENT_LOADERS: Required<RunComponentLoaders> = Object.freeze({
  // The run's CAR index when the trainer's car stage has run, else the documented overlap fallback.
  retriever: (context: RunComponentContext) =>
    fs.existsSync(path.join(context.runDir, 'car', 'car.json'))
      ? loadCarRetriever(path.join(context.runDir, 'car'), { variant: 'car', dataset: context.dataset })
      : createOverlapRetriever(context.dataset),
  // The run's SARE reranker when the sare stage has run, else the identity fallback (keeps CAR's order).
  reranker: (context: RunComponentContext) =>
    fs.existsSync(path.join(context.runDir, 'sare', 'report.json')) ? loadSareReranker(path.join(context.runDir, 'sare')) : createIdentityReranker(),
  // "inprocess": the run's own full-SCoRe LM from the rec stage (RUN/rec/models/score).
  languageModel: async (spec: string, context: RunComponentContext) =>
    spec === 'inprocess' ? loadRunLanguageModel(context.runDir) : createLanguageModel(await resolveModelSpec(spec, { logger: context.logger })),
});

/**
 * Loads a run's dataset: trainer run folders keep it in `<run>/prepare/dataset`, a bare
 * `saveDataset` folder in `<run>/dataset`. Every loading path (in-process, the scoring workers and
 * the main thread beside them) goes through here.
 * @throws StaleRunError (from `@score/data`'s `assertRunFresh`) when the run's manifest shows a stage
 *   built on other inputs than the run now holds.
 */
export async function loadRunDataset(runDir: string): Promise<Dataset> {
  // A run whose stages were built on other inputs (e.g. re-prepared after training) is refused.
  await assertRunFresh(runDir);
  const preparedDir = path.join(runDir, 'prepare');
  return loadDataset(fs.existsSync(path.join(preparedDir, 'dataset')) ? preparedDir : runDir);
}

/** Options of {@link loadRunComponents}. */
export interface LoadRunComponentsOptions {
  /** The run folder (with `dataset/` written by `score-train prepare`). */
  readonly runDir: string;
  /**
   * Which language model: "inprocess", "llamacpp:PATH[#LORA]", "openai:URL#MODEL", ...
   * @defaultValue "inprocess"
   */
  readonly llm?: string;
  /** @defaultValue {@link DEFAULT_RUN_COMPONENT_LOADERS} */
  readonly loaders?: RunComponentLoaders;
  /**
   * Backend settings for client specs (threads, context size, API key), used by the default
   * language-model loader.
   * @defaultValue none
   */
  readonly llmOverrides?: LanguageModelOverrides;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
}

/**
 * Loads the dataset (`loadDataset(runDir)`), then CAR, SARE and the language model through the
 * loaders. When a loader fails, the components already loaded are disposed and the error is rethrown.
 * @throws StaleRunError (from `@score/data`'s `assertRunFresh`) when the run's manifest shows a stage
 *   built on other inputs than the run now holds (e.g. `prepare` redone after training).
 */
export async function loadRunComponents(options: LoadRunComponentsOptions): Promise<RunComponents> {
  const { components, context } = await loadComponents(options);
  try {
    const languageModel = await createRunLanguageModel(options, context);
    return { ...components, languageModel };
  } catch (error) {
    await Promise.allSettled([components.retriever.dispose(), components.reranker.dispose()]);
    throw error;
  }
}

/**
 * {@link loadRunComponents} without the language model: the dataset, CAR and SARE (what the scoring
 * workers load when the language model stays on the main thread).
 */
export async function loadRunRetrievalComponents(options: LoadRunComponentsOptions): Promise<Omit<RunComponents, 'languageModel'>> {
  return (await loadComponents(options)).components;
}

/**
 * The language model of `options.llm` through `options.loaders.languageModel`, else the default:
 * the run's own LM for "inprocess", `createLanguageModel(spec, llmOverrides)` for client specs
 * (`llamacpp:model:NAME` resolved to the pulled file first by `@score/model-hub`).
 */
export async function createRunLanguageModel(options: LoadRunComponentsOptions, context: RunComponentContext): Promise<LanguageModel> {
  const llm = options.llm ?? 'inprocess';
  const loader =
    options.loaders?.languageModel ??
    (async (spec: string, loaderContext: RunComponentContext) =>
      spec === 'inprocess'
        ? DEFAULT_RUN_COMPONENT_LOADERS.languageModel(spec, loaderContext)
        : createLanguageModel(await resolveModelSpec(spec, { logger: loaderContext.logger }), options.llmOverrides));
  const languageModel = await loader(llm, context);
  context.logger.info('language model loaded', { provider: languageModel.provider, modelId: languageModel.modelId });
  return languageModel;
}

async function loadComponents(options: LoadRunComponentsOptions): Promise<{ components: Omit<RunComponents, 'languageModel'>; context: RunComponentContext }> {
  checkRunDir(options?.runDir);
  const llm = options.llm ?? 'inprocess';
  if (typeof llm !== 'string' || llm.length === 0) throw new InvalidOptionError('llm', `must be "inprocess" or a model spec, got ${describeValue(llm)}.`, llm);
  const logger = options.logger ?? silentLogger;
  const defaults = DEFAULT_RUN_COMPONENT_LOADERS;
  const loaders = options.loaders ?? {};

  const dataset = await loadRunDataset(options.runDir);
  const context: RunComponentContext = { runDir: options.runDir, dataset, logger };
  const loaded: { dispose(): void | Promise<void> }[] = [];
  try {
    const retriever = await (loaders.retriever ?? defaults.retriever)(context);
    loaded.push(retriever);
    logger.info('retriever loaded', { variant: retriever.variant });
    const reranker = await (loaders.reranker ?? defaults.reranker)(context);
    loaded.push(reranker);
    logger.info('reranker loaded', { modelId: reranker.modelId });
    return { components: { dataset, retriever, reranker }, context };
  } catch (error) {
    await Promise.allSettled(loaded.map(async (component) => component.dispose()));
    throw error;
  }
}
