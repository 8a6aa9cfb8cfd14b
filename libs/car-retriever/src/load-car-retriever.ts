import path from 'node:path';
import fs from 'node:fs';
import { ArtifactNotFoundError, checkInteger, DataFormatError, InvalidOptionError, type Dataset, type TextEmbeddingModel, type UserId, type UserRetriever } from '@score/core';
import { loadDataset } from '@score/data';
import { checkEncoderInference, createOnnxEncoder, type EncoderInference, loadInferenceEncoder, openThreadedTextEncoder } from '@score/text-encoders';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { readCarStageManifest, type CarEncoderLocation } from './car-stage-manifest';
import { createCorpusRetriever, type CorpusRetriever } from './corpus-retriever';
import { createEmbeddingNeighbourRetriever, type EmbedUsers } from './embedding-neighbour-retriever';
import { createNeighbourRetriever, type CollaborativeNeighbour } from './neighbour-retriever';
import { SnapshotIndexes } from './snapshot-indexes';
import { readSafetensors } from '@score/tfjs-runtime';
import { readNeighboursFile } from './neighbours-file';

/** The retriever variants of the paper's ablations. */
export type CarVariant = 'car' | 'base' | 'cf';

/** Every {@link CarVariant}. */
export const CAR_VARIANTS: readonly CarVariant[] = Object.freeze(['car', 'base', 'cf'] as const);

/** Options of {@link loadCarRetriever}. */
export interface LoadCarRetrieverOptions {
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
   * Texts per forward pass of a saved trainable encoder (BERT or pooled; an ONNX encoder keeps its
   * own). A pretrained BERT such as all-MiniLM-L6-v2 at 256 tokens needs about 8: at 32 one
   * inference pass holds every layer's attention activations and overflows the wasm backend's heap.
   * With `inference: "onnx"`, the texts per onnxruntime pass.
   * @defaultValue the encoder's default (BERT: 8 for a downloaded checkpoint, else its saved batch
   *   size, see `loadBertEncoder`; pooled: 64); 32 on onnxruntime
   */
  readonly encoderBatchSize?: number;
  /**
   * Where a saved trainable encoder (`car`; `base` of `bert:`/`scratch`) embeds the queries:
   * `tfjs`, its TensorFlow.js forward pass; `onnx`, a BERT encoder exported once to
   * `<encoder folder>/onnx/model.onnx` (reused while its weights are unchanged) and run by
   * onnxruntime on every core (`loadInferenceEncoder` of @score/text-encoders). A pooled or frozen
   * ONNX encoder is unaffected.
   * @defaultValue 'tfjs'
   */
  readonly inference?: EncoderInference;
  /**
   * With `inference: "tfjs"`, threads that run a saved trainable encoder's forward passes in
   * `retrieveBatch` (`openThreadedTextEncoder`: the calling thread and `encoderThreads - 1` workers,
   * each with its own copy of the encoder); the embeddings, so the retrieved users, are bitwise
   * those of one thread. With `inference: "onnx"` it is not used (onnxruntime runs on its own
   * threads; a pooled encoder stays on one thread), nor for a frozen ONNX encoder.
   * @defaultValue 1
   */
  readonly encoderThreads?: number;
  /**
   * N_c(u) for the `cf` variant.
   * @defaultValue the stage's `neighbours.json`
   */
  readonly neighbours?: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
  /**
   * How the `cf` variant picks users: `embedding`, the K_e users of the target's snapshot with the
   * largest cosine between CRM user embeddings (`createEmbeddingNeighbourRetriever`, as CAR does
   * with text embeddings); `neighbours`, only the target's K_c CRM neighbours that have behaviour
   * in the snapshot (`createNeighbourRetriever`, the paper's literal N_c).
   * @defaultValue 'embedding' when the stage kept the CRM user embeddings, else 'neighbours'
   */
  readonly cf?: CfRetrieval;
  /**
   * For `cf: 'embedding'`: the CRM itself (e.g. the crm stage's SASRec `userEmbeddings`), so
   * e_ut is computed from the target's history before the row and each candidate's e_ui from its
   * snapshot behaviour; without it, the stage's stored embeddings (whole training histories).
   * @defaultValue none
   */
  readonly embedUsers?: EmbedUsers;
  /**
   * Where the variant's LanceDB snapshot tables are opened instead of the stage folder's copy: a
   * folder or an object-storage URI passed to LanceDB untouched (`s3://bucket/run-1/car-index`,
   * `gs://...`, `az://...`), e.g. written by `LanceVectorIndex.copyTo` or the trainer's
   * `car.indexUri`. The encoder, the corpus and the manifest still come from `stageDir`.
   * @defaultValue `<stageDir>/<the manifest's index folder of the variant>`
   */
  readonly indexUri?: string;
  /**
   * LanceDB storage options for an object-storage `indexUri` (endpoint, credentials, ...).
   * @defaultValue none (LanceDB reads the environment: AWS_ACCESS_KEY_ID, AWS_REGION, AWS_ENDPOINT, ...)
   */
  readonly storageOptions?: Readonly<Record<string, string>>;
}

/** How the `cf` variant retrieves (see {@link LoadCarRetrieverOptions.cf}). */
export type CfRetrieval = 'embedding' | 'neighbours';

/** Every {@link CfRetrieval}. */
export const CF_RETRIEVALS: readonly CfRetrieval[] = Object.freeze(['embedding', 'neighbours'] as const);

/** Reads the CRM's user embeddings (tensor `embeddings`, metadata `user_ids`). */
function readUserEmbeddings(file: string) {
  if (!fs.existsSync(file)) throw new ArtifactNotFoundError(file, 'The CRM user embeddings of the CAR stage', 'car');
  const { tensors, metadata } = readSafetensors(file);
  const tensor = tensors.get('embeddings');
  let userIds: unknown;
  try {
    userIds = JSON.parse(metadata.user_ids ?? 'null');
  } catch (cause) {
    throw new DataFormatError('metadata "user_ids" is not valid JSON.', { path: file, field: 'user_ids', cause });
  }
  if (!tensor || tensor.shape.length !== 2 || !(tensor.data instanceof Float32Array)) throw new DataFormatError('must hold a 2-D float32 tensor "embeddings".', { path: file, field: 'embeddings' });
  if (!Array.isArray(userIds) || userIds.length !== tensor.shape[0] || userIds.some((id) => typeof id !== 'string')) {
    throw new DataFormatError(`metadata "user_ids" must list one user id per embedding row (${tensor.shape[0]}).`, { path: file, field: 'user_ids' });
  }
  return { embeddings: { rows: tensor.shape[0], cols: tensor.shape[1], data: tensor.data }, userIds: userIds as string[] };
}

async function openEncoder(stageDir: string, location: CarEncoderLocation, inference: EncoderInference, batchSize?: number, threads = 1): Promise<TextEmbeddingModel> {
  const where = path.resolve(stageDir, location.path);
  if (location.kind === 'onnx') return createOnnxEncoder(where.endsWith('.onnx') ? { modelPath: where } : { modelDir: where });
  // Threads spread tfjs forward passes; onnxruntime has its own (every core). A base BERT cut to car.maxTokens (location.maxLength) loads on one thread.
  if (inference === 'tfjs' && threads > 1 && location.maxLength === undefined) return openThreadedTextEncoder({ dir: where, ...(batchSize === undefined ? {} : { batchSize }) }, { threads });
  return loadInferenceEncoder(where, { inference, ...(batchSize === undefined ? {} : { batchSize }), ...(location.maxLength === undefined ? {} : { maxLength: location.maxLength }) });
}

/**
 * Reopens a finished CAR stage as a core `UserRetriever` for the later stages (prompts,
 * inference): `car` and `base` embed the target's history with their encoder and search the
 * LanceDB table of the target's snapshot; `cf` ranks that snapshot's users by CRM embedding (or
 * returns the CRM neighbours, see {@link LoadCarRetrieverOptions.cf}). All follow the leakage
 * rule: a target at time t sees the snapshot of the latest boundary strictly before t (behaviour
 * before that boundary only; nobody before the first boundary), never the target itself. `dispose()` closes the
 * index and frees the encoder. The result of `car`/`base` is a {@link CorpusRetriever}.
 * @param stageDir The folder `runCarStage` wrote (holding `car.json`).
 */
export async function loadCarRetriever(stageDir: string, options: LoadCarRetrieverOptions = {}): Promise<UserRetriever> {
  if (typeof stageDir !== 'string' || stageDir === '') {
    throw new InvalidOptionError('stageDir', 'must be the folder the CAR stage wrote.', stageDir);
  }
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', `must be an object, got ${JSON.stringify(options)}.`, options);
  const variant = options.variant ?? 'car';
  if (!CAR_VARIANTS.includes(variant)) throw new InvalidOptionError('variant', `must be one of ${CAR_VARIANTS.join(', ')}, got ${JSON.stringify(variant)}.`, variant);
  if ((options.datasetDir === undefined) === (options.dataset === undefined)) {
    throw new InvalidOptionError('datasetDir', 'give exactly one of "datasetDir" (a folder with a prepared dataset) and "dataset".');
  }
  const inference = checkEncoderInference(options.inference ?? 'tfjs');
  const manifest = readCarStageManifest(stageDir);
  const dataset = options.dataset ?? (await loadDataset(options.datasetDir!));
  const corpus = buildBehaviourCorpus(dataset, { maxItems: manifest.corpus.maxItems, snapshots: manifest.corpus.boundaries });
  if (variant === 'cf') {
    const cf = options.cf ?? (manifest.userEmbeddings !== undefined || options.embedUsers !== undefined ? 'embedding' : 'neighbours');
    if (!CF_RETRIEVALS.includes(cf)) throw new InvalidOptionError('cf', `must be one of ${CF_RETRIEVALS.join(', ')}, got ${JSON.stringify(cf)}.`, cf);
    if (cf === 'embedding' && options.embedUsers !== undefined) return createEmbeddingNeighbourRetriever({ embedUsers: options.embedUsers, corpus, variant });
    if (cf === 'embedding') {
      if (manifest.userEmbeddings === undefined) {
        throw new InvalidOptionError('cf', `is "embedding", but the CAR stage in ${stageDir} kept no CRM user embeddings; run it with userEmbeddingsFile, give embedUsers, or use "neighbours".`, cf);
      }
      const { embeddings, userIds } = readUserEmbeddings(path.join(stageDir, manifest.userEmbeddings));
      return createEmbeddingNeighbourRetriever({ embeddings, userIds, corpus, variant });
    }
    const neighbours = options.neighbours ?? readNeighboursFile(path.join(stageDir, manifest.neighbours));
    return createNeighbourRetriever({ neighbours, corpus, variant, visibility: 'snapshot' });
  }
  const files = manifest.variants[variant];
  const threads = options.encoderThreads === undefined ? 1 : checkInteger('encoderThreads', options.encoderThreads, 1);
  const encoder = await openEncoder(stageDir, files.encoder, inference, options.encoderBatchSize, threads);
  if (options.indexUri !== undefined && (typeof options.indexUri !== 'string' || options.indexUri === '')) {
    await encoder.dispose();
    throw new InvalidOptionError('indexUri', 'must be a folder or an object-storage URI such as s3://bucket/run/car-index.', options.indexUri);
  }
  const snapshots = new SnapshotIndexes(options.indexUri ?? path.join(stageDir, files.index), manifest.corpus.tables, encoder.dimensions, options.storageOptions);
  try {
    // Opened now so a missing or mismatched index fails here, not at the first search.
    if (snapshots.count > 0) await snapshots.table(snapshots.count - 1);
  } catch (error) {
    await snapshots.close();
    await encoder.dispose();
    throw error;
  }
  const retriever = createCorpusRetriever({ variant, snapshots, corpus, embed: (texts) => encoder.embed(texts) });
  const loaded: CorpusRetriever = {
    variant,
    retrieve: (target, k) => retriever.retrieve(target, k),
    retrieveBatch: (targets, k) => retriever.retrieveBatch(targets, k),
    async dispose(): Promise<void> {
      await retriever.dispose();
      await snapshots.close();
      await encoder.dispose();
    },
  };
  return loaded;
}
