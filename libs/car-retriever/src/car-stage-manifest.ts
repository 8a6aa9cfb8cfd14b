import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError } from '@score/core';

/** Format version of `car.json`. */
export const CAR_STAGE_FORMAT_VERSION = 2;

/** Where a variant's encoder lives: a saved trainable encoder folder, or a frozen ONNX model. */
export interface CarEncoderLocation {
  readonly kind: 'trainable' | 'onnx';
  /** Relative paths are inside the stage folder; absolute ones point at an external model. */
  readonly path: string;
  /**
   * Texts are cut to this many tokens when the folder's own setting differs (a pretrained `base`
   * encoder run with `CarStageOptions.maxTokens`).
   * @defaultValue the folder's setting
   */
  readonly maxLength?: number;
}

/** A retriever variant with a text encoder: its encoder and its LanceDB folder. */
export interface CarVariantFiles {
  readonly encoder: CarEncoderLocation;
  /** LanceDB folder, relative to the stage folder. */
  readonly index: string;
}

/** `car.json`: what `runCarStage` wrote and how `loadCarRetriever` reopens it. */
export interface CarStageManifest {
  readonly formatVersion: number;
  /** The encoder spec the stage ran with. */
  readonly encoder: string;
  /** Whether the `car` variant was fine-tuned (false for a frozen `onnx:` encoder: then car = base). */
  readonly fineTuned: boolean;
  /**
   * The behaviour corpus settings, to rebuild the same corpus from the dataset, and the LanceDB
   * table of each snapshot (one per boundary, the same names in every variant's index folder).
   */
  readonly corpus: { readonly maxItems: number; readonly boundaries: readonly number[]; readonly tables: readonly string[] };
  /** The CRM neighbours used (the `cf` variant's source), relative to the stage folder. */
  readonly neighbours: string;
  /**
   * The CRM's user embeddings e_u (safetensors, tensor `embeddings`, user ids in the metadata
   * `user_ids`), relative to the stage folder: the source of the `cf` variant's embedding
   * retrieval. Absent when the stage was given none; `cf` then uses the neighbours.
   */
  readonly userEmbeddings?: string;
  readonly variants: { readonly car: CarVariantFiles; readonly base: CarVariantFiles };
}

/** Reads and checks `<stageDir>/car.json`. */
export function readCarStageManifest(stageDir: string): CarStageManifest {
  const file = path.join(stageDir, 'car.json');
  if (!fs.existsSync(file)) throw new ArtifactNotFoundError(file, 'The CAR stage manifest (car.json)', 'car');
  let json: CarStageManifest;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as CarStageManifest;
  } catch (cause) {
    throw new DataFormatError('is not valid JSON.', { path: file, cause });
  }
  if (json.formatVersion !== CAR_STAGE_FORMAT_VERSION) {
    throw new DataFormatError(`format version ${JSON.stringify(json.formatVersion)} is not supported; this version reads ${CAR_STAGE_FORMAT_VERSION}. Run the "car" stage again.`, {
      path: file,
      field: 'formatVersion',
    });
  }
  for (const variant of ['car', 'base'] as const) {
    const files = json.variants?.[variant];
    if (!files || typeof files.index !== 'string' || typeof files.encoder?.path !== 'string' || (files.encoder.kind !== 'trainable' && files.encoder.kind !== 'onnx')) {
      throw new DataFormatError(`"variants.${variant}" must name an encoder ({ kind: "trainable" | "onnx", path }) and an index folder.`, { path: file, field: `variants.${variant}` });
    }
  }
  if (!Number.isInteger(json.corpus?.maxItems) || !Array.isArray(json.corpus?.boundaries) || !Array.isArray(json.corpus?.tables) || json.corpus.tables.length !== json.corpus.boundaries.length) {
    throw new DataFormatError('"corpus" must hold maxItems, boundaries and one snapshot table name per boundary (tables).', { path: file, field: 'corpus' });
  }
  if (json.userEmbeddings !== undefined && typeof json.userEmbeddings !== 'string') {
    throw new DataFormatError('"userEmbeddings" must be a file name inside the stage folder.', { path: file, field: 'userEmbeddings' });
  }
  return json;
}
