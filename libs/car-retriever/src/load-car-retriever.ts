import path from 'node:path';
import { InvalidOptionError, type Dataset, type TextEmbeddingModel, type UserId, type UserRetriever } from '@score/core';
import { loadDataset } from '@score/data';
import { createOnnxEncoder, loadTrainableEncoder } from '@score/text-encoders';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { readCarStageManifest, type CarEncoderLocation } from './car-stage-manifest';
import { createCorpusRetriever, type CorpusRetriever } from './corpus-retriever';
import { LanceVectorIndex } from './lance-vector-index';
import { createNeighbourRetriever, type CollaborativeNeighbour } from './neighbour-retriever';
import { readNeighboursFile } from './neighbours-file';

/** The retriever variants of the paper's ablations. */
export type CarVariant = 'car' | 'base' | 'cf';

/** Every {@link CarVariant}. */
export const CAR_VARIANTS: readonly CarVariant[] = Object.freeze(['car', 'base', 'cf'] as const);

/** Options of {@link loadCarRetriever}. */
export interface LoadCarRetrieverOptions {
  /** The folder `runCarStage` wrote (holding `car.json`). */
  readonly stageDir: string;
  /**
   * `car` (fine-tuned encoder, SCoRe), `base` (untuned encoder, SCoRe-base) or `cf` (CRM neighbours, SCoRe-cf).
   * @defaultValue 'car'
   */
  readonly variant?: CarVariant;
  /**
   * Folder holding the prepared dataset (as given to the stage). Give this or `dataset`.
   * @defaultValue none
   */
  readonly datasetDir?: string;
  /**
   * The dataset itself, instead of `datasetDir`.
   * @defaultValue none
   */
  readonly dataset?: Dataset;
  /**
   * N_c(u) for the `cf` variant.
   * @defaultValue the stage's `neighbours.json`
   */
  readonly neighbours?: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
}

async function openEncoder(stageDir: string, location: CarEncoderLocation): Promise<TextEmbeddingModel> {
  const where = path.resolve(stageDir, location.path);
  if (location.kind === 'onnx') return createOnnxEncoder(where.endsWith('.onnx') ? { modelPath: where } : { modelDir: where });
  return loadTrainableEncoder(where);
}

/**
 * Reopens a finished CAR stage as a core `UserRetriever` for the later stages (prompts,
 * inference): `car` and `base` embed the target's history with their encoder and search their
 * LanceDB index; `cf` returns the CRM neighbours. All follow the leakage rule: only behaviour
 * snapshots with `asOf` before `target.before`, never the target itself. `dispose()` closes the
 * index and frees the encoder. The result of `car`/`base` is a {@link CorpusRetriever}.
 */
export async function loadCarRetriever(options: LoadCarRetrieverOptions): Promise<UserRetriever> {
  if (!options || typeof options.stageDir !== 'string' || options.stageDir === '') {
    throw new InvalidOptionError('stageDir', 'must be the folder the CAR stage wrote.', options?.stageDir);
  }
  const variant = options.variant ?? 'car';
  if (!CAR_VARIANTS.includes(variant)) throw new InvalidOptionError('variant', `must be one of ${CAR_VARIANTS.join(', ')}, got ${JSON.stringify(variant)}.`, variant);
  if ((options.datasetDir === undefined) === (options.dataset === undefined)) {
    throw new InvalidOptionError('datasetDir', 'give exactly one of "datasetDir" (a folder with a prepared dataset) and "dataset".');
  }
  const manifest = readCarStageManifest(options.stageDir);
  const dataset = options.dataset ?? (await loadDataset(options.datasetDir!));
  const corpus = buildBehaviourCorpus(dataset, { maxItems: manifest.corpus.maxItems, snapshots: manifest.corpus.boundaries });
  if (variant === 'cf') {
    const neighbours = options.neighbours ?? readNeighboursFile(path.join(options.stageDir, manifest.neighbours));
    return createNeighbourRetriever({ neighbours, corpus, variant });
  }
  const files = manifest.variants[variant];
  const encoder = await openEncoder(options.stageDir, files.encoder);
  let index: LanceVectorIndex;
  try {
    index = await LanceVectorIndex.create({ dir: path.join(options.stageDir, files.index), mode: 'open', dimensions: encoder.dimensions });
  } catch (error) {
    await encoder.dispose();
    throw error;
  }
  const retriever = createCorpusRetriever({ variant, index, corpus, embed: (texts) => encoder.embed(texts) });
  const loaded: CorpusRetriever = {
    variant,
    retrieve: (target, k) => retriever.retrieve(target, k),
    retrieveBatch: (targets, k) => retriever.retrieveBatch(targets, k),
    async dispose(): Promise<void> {
      await retriever.dispose();
      await index.close();
      await encoder.dispose();
    },
  };
  return loaded;
}
