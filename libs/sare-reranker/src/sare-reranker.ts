import path from 'node:path';
import {
  InvalidOptionError,
  LruCache,
  ModelMismatchError,
  type RerankCandidate,
  type Reranker,
  type RerankRequest,
  type RerankResult,
  type TextEmbeddingModel,
  cosineSimilarity,
  writeFileAtomicSync,
  checkMethods,
  checkObject,
  describeValue,
  integerOption,
  readJsonFile,
} from '@score/core';
import { checkEncoderInference, type EncoderInference, loadInferenceEncoder, loadTrainableEncoder, openThreadedTextEncoder, ThreadedTextEncoder, type TrainableTextEncoder } from '@score/text-encoders';
import type { SareExample } from './sare-example';

/** `format` of a saved SARE folder's `sare.json`. */
export const SARE_FORMAT = 'score-sare';
/** Version of a saved SARE folder's layout. */
export const SARE_FORMAT_VERSION = 1;

/** Options of {@link createSareReranker}. */
export interface SareRerankerOptions {
  /** The reranker encoder (trainable, from text-encoders: a pooled or BERT-family encoder). */
  readonly encoder: TrainableTextEncoder;
  /**
   * Name reported as `modelId`.
   * @defaultValue "sare:<encoder.modelId>"
   */
  readonly modelId?: string;
  /**
   * Behaviour-text embeddings kept (least recently used dropped) so that a text seen by an earlier
   * `rerank`/`scores` call is not encoded again. Keep 0 while the encoder still trains: cached
   * embeddings would be stale.
   * @defaultValue 0 (no cache)
   */
  readonly embeddingCache?: number;
  /**
   * What embeds the query and the candidates in `scores`, `rerank`, `rerankMany` and `orderExamples` instead of
   * `encoder`: a model computing the same function, e.g. `createBertOnnxInference(encoder)` (the
   * encoder's weights on onnxruntime). Disposed with the reranker; `save` still writes `encoder`.
   * @defaultValue `encoder` itself
   */
  readonly inferenceEncoder?: TextEmbeddingModel;
}

/** Options of {@link loadSareReranker}. */
export interface LoadSareRerankerOptions {
  /**
   * Texts per forward pass.
   * @defaultValue the encoder's default (32 for BERT, 64 pooled)
   */
  readonly batchSize?: number;
  /** Candidate-text embeddings cached (see {@link SareRerankerOptions.embeddingCache}). @defaultValue 10000 */
  readonly embeddingCache?: number;
  /**
   * Where a BERT encoder's scoring runs: `tfjs`, its TensorFlow.js forward pass; `onnx`, its weights
   * exported once to `<dir>/onnx/model.onnx` (reused while they are unchanged) and run by
   * onnxruntime on every core (`loadInferenceEncoder` of @score/text-encoders), with `batchSize`
   * texts per pass. A pooled encoder stays on tfjs.
   * @defaultValue 'tfjs'
   */
  readonly inference?: EncoderInference;
  /**
   * With `inference: "tfjs"`, threads that run the encoder's forward passes when reranking
   * (`openThreadedTextEncoder`: the calling thread and `threads - 1` workers, each with its own
   * copy of the encoder). The embeddings, so the scores and orders, are bitwise those of one
   * thread. With `inference: "onnx"` it is not used (onnxruntime runs on its own threads; a pooled
   * encoder stays on one thread).
   * @defaultValue 1
   */
  readonly threads?: number;
}

/** Builds a SareReranker (its constructor is private); set by the class's static block. */
let constructSareReranker: (encoder: TrainableTextEncoder, modelId: string, embeddingCache?: number, inferenceEncoder?: TextEmbeddingModel) => SareReranker;

/**
 * SARE, the self-assessing reranker (method.md Stage 2 step 3, Eq. 10): encodes the query (the
 * filled basic prompt P^b, p_t = Enc(P^b)) and each candidate's behaviour text (e_i = Enc(d(H(u_i))))
 * with one encoder and orders the candidates by cos(p_t, e_i).
 */
export class SareReranker implements Reranker {
  static {
    constructSareReranker = (encoder: TrainableTextEncoder, modelId: string, embeddingCache?: number, inferenceEncoder?: TextEmbeddingModel) =>
      new SareReranker(encoder, modelId, embeddingCache, inferenceEncoder);
  }

  /** Wraps a trainable encoder as SARE (the same as `createSareReranker`). */
  static create(options: SareRerankerOptions): SareReranker {
    return createSareReranker(options);
  }

  /** Loads a reranker saved by `save` (the same as `loadSareReranker`). */
  static load(dir: string, options: LoadSareRerankerOptions = {}): Promise<SareReranker> {
    return loadSareReranker(dir, options);
  }

  readonly modelId: string;
  readonly encoder: TrainableTextEncoder;

  readonly #cache: LruCache<string, Float32Array>;
  /** What embeds: `encoder`, or the inference model given for it (onnxruntime, or a threaded view owning `encoder`). */
  readonly #embedder: TextEmbeddingModel;

  private constructor(encoder: TrainableTextEncoder, modelId: string, embeddingCache = 0, inferenceEncoder?: TextEmbeddingModel) {
    this.encoder = encoder;
    this.#embedder = inferenceEncoder ?? encoder;
    this.modelId = modelId;
    this.#cache = new LruCache({ maxEntries: embeddingCache });
  }

  /** Number of cached candidate embeddings. */
  get cachedEmbeddings(): number {
    return this.#cache.size;
  }

  /** Drops the cached candidate embeddings (call it after the encoder's weights change). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** cos(Enc(query), Enc(text)) for each text, in order. */
  async scores(query: string, texts: readonly string[]): Promise<Float32Array> {
    if (typeof query !== 'string') throw new InvalidOptionError('query', `must be a string (the filled basic prompt), got ${describeValue(query)}.`, query);
    const vectors: (Float32Array | undefined)[] = texts.map((text) => this.#cache.get(text));
    const missing = [...new Set(texts.filter((_, i) => vectors[i] === undefined))];
    const matrix = await this.#embedder.embed([query, ...missing]);
    const width = matrix.cols;
    const fresh = new Map(missing.map((text, i) => [text, matrix.data.slice((i + 1) * width, (i + 2) * width)]));
    const out = new Float32Array(texts.length);
    const q = matrix.data.subarray(0, width);
    for (let i = 0; i < texts.length; i += 1) out[i] = cosineSimilarity(q, vectors[i] ?? fresh.get(texts[i]!)!);
    for (const [text, vector] of fresh) this.#cache.set(text, vector);
    return out;
  }

  /** The `topK` candidates with the highest cos(p_t, e_i), best first (ties keep the given order). */
  async rerank(query: string, candidates: readonly RerankCandidate[], topK: number): Promise<RerankResult[]> {
    const k = checkRerankRequest(query, candidates, topK);
    if (candidates.length === 0) return [];
    return ordered(candidates, await this.scores(query, candidates.map((candidate) => candidate.text)), k);
  }

  /**
   * `rerank` for each request, with one encoder call for every query and every candidate text not
   * in the embedding cache (each text once; the cache's candidates are not embedded again), so its
   * length-sorted batches are full and, on a threaded encoder (`threads`), spread over the threads.
   * Deterministic: the same requests give the same bits on any number of threads. A text's
   * embedding depends on the batch it was padded in, so it can differ from a `rerank` call's in
   * the last bits.
   */
  async rerankMany(requests: readonly RerankRequest[]): Promise<RerankResult[][]> {
    if (!Array.isArray(requests)) throw new InvalidOptionError('requests', `must be an array of { query, candidates, topK }, got ${describeValue(requests)}.`, requests);
    const ks = requests.map((request: RerankRequest, i: number) => {
      if (request === null || typeof request !== 'object') throw new InvalidOptionError(`requests[${i}]`, `must be { query, candidates, topK }, got ${describeValue(request)}.`, request);
      return checkRerankRequest(request.query, request.candidates, request.topK, `requests[${i}].`);
    });
    const unique = new Map<string, number>();
    const add = (text: string) => unique.has(text) || unique.set(text, unique.size);
    const cached = new Map<string, Float32Array>();
    for (const request of requests as readonly RerankRequest[]) {
      if (request.candidates.length === 0) continue;
      add(request.query);
      for (const { text } of request.candidates) {
        if (cached.has(text) || unique.has(text)) continue;
        const vector = this.#cache.get(text);
        if (vector === undefined) add(text);
        else cached.set(text, vector);
      }
    }
    const matrix = await this.#embedder.embed([...unique.keys()]);
    const width = matrix.cols;
    const row = (text: string) => cached.get(text) ?? matrix.data.subarray(unique.get(text)! * width, (unique.get(text)! + 1) * width);
    const fresh = new Set<string>();
    const results = requests.map((request: RerankRequest, r: number): RerankResult[] => {
      if (request.candidates.length === 0) return [];
      const q = row(request.query);
      const scores = new Float32Array(request.candidates.length);
      request.candidates.forEach(({ text }, i) => {
        scores[i] = cosineSimilarity(q, row(text));
        if (!cached.has(text)) fresh.add(text);
      });
      return ordered(request.candidates, scores, ks[r]!);
    });
    for (const text of fresh) this.#cache.set(text, matrix.data.slice(unique.get(text)! * width, (unique.get(text)! + 1) * width));
    return results;
  }

  /**
   * The reranker's order of every example's candidates, best first, embedding all texts in
   * batched passes (repeated texts once).
   */
  async orderExamples(examples: readonly SareExample[]): Promise<string[][]> {
    const unique = new Map<string, number>();
    for (const example of examples) for (const text of [example.query, ...example.candidates.map((candidate) => candidate.text)]) if (!unique.has(text)) unique.set(text, unique.size);
    const matrix = await this.#embedder.embed([...unique.keys()]);
    const width = matrix.cols;
    const row = (text: string) => matrix.data.subarray(unique.get(text)! * width, (unique.get(text)! + 1) * width);
    return examples.map((example) => {
      const q = row(example.query);
      return example.candidates
        .map((candidate, index) => ({ id: candidate.id, score: cosineSimilarity(q, row(candidate.text)), index }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .map((entry) => entry.id);
    });
  }

  /** Writes the encoder (`config.json`, `model.safetensors`, `tokenizer.json`) and `sare.json` into `dir`. */
  async save(dir: string, metadata: Readonly<Record<string, unknown>> = {}): Promise<void> {
    await this.encoder.save(dir);
    const document = { format: SARE_FORMAT, formatVersion: SARE_FORMAT_VERSION, modelId: this.modelId, architecture: this.encoder.architecture, ...metadata };
    writeFileAtomicSync(path.join(dir, 'sare.json'), `${JSON.stringify(document, null, 2)}\n`);
  }

  /**
   * Frees the encoder (at once) and the inference model, if one was given; a threaded inference
   * model owns the encoder (it frees it and stops its workers).
   */
  async dispose(): Promise<void> {
    if (this.#embedder instanceof ThreadedTextEncoder) return this.#embedder.dispose();
    this.encoder.dispose();
    if (this.#embedder !== this.encoder) await this.#embedder.dispose();
  }
}

/** Checks one rerank request; returns its topK. */
function checkRerankRequest(query: unknown, candidates: unknown, topK: unknown, prefix = ''): number {
  if (typeof query !== 'string') throw new InvalidOptionError(`${prefix}query`, `must be a string (the filled basic prompt), got ${describeValue(query)}.`, query);
  if (topK === undefined) throw new InvalidOptionError(`${prefix}topK`, 'is required: how many candidates to keep (K_s, paper: 2).');
  const k = integerOption(`${prefix}topK`, topK as number, 1, 1);
  if (!Array.isArray(candidates) || candidates.some((candidate: RerankCandidate | null) => candidate === null || typeof candidate?.id !== 'string' || typeof candidate.text !== 'string')) {
    throw new InvalidOptionError(`${prefix}candidates`, 'must be an array of { id: string, text: string }.', candidates);
  }
  return k;
}

/** The `k` candidates with the highest scores, best first (ties keep the given order). */
function ordered(candidates: readonly RerankCandidate[], scores: Float32Array, k: number): RerankResult[] {
  return candidates
    .map((candidate, index) => ({ id: candidate.id, text: candidate.text, score: scores[index]!, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k)
    .map(({ id, text, score }) => ({ id, text, score }));
}

/** Wraps a trainable encoder as SARE (see {@link SareReranker}). */
export function createSareReranker(options: SareRerankerOptions): SareReranker {
  checkObject('options', options);
  checkMethods('encoder', options.encoder, ['embed', 'embedTensor', 'tokenize', 'save'], 'a trainable text encoder from @score/text-encoders');
  const modelId = options.modelId ?? `sare:${options.encoder.modelId}`;
  if (typeof modelId !== 'string' || modelId.length === 0) throw new InvalidOptionError('modelId', `must be a non-empty string, got ${describeValue(modelId)}.`, modelId);
  if (options.inferenceEncoder !== undefined) checkMethods('inferenceEncoder', options.inferenceEncoder, ['embed', 'dispose'], 'a text embedding model (e.g. createBertOnnxInference)');
  return constructSareReranker(options.encoder, modelId, integerOption('embeddingCache', options.embeddingCache, 0, 0), options.inferenceEncoder);
}

/**
 * Loads a reranker saved by {@link SareReranker.save}.
 * @throws ArtifactNotFoundError (produced by the "sare" stage) when `dir/sare.json` is missing;
 *   ModelMismatchError when it is of another format.
 */
export async function loadSareReranker(dir: string, options: LoadSareRerankerOptions = {}): Promise<SareReranker> {
  const file = path.join(dir, 'sare.json');
  const document = readJsonFile(file, 'A trained SARE reranker', { producedBy: 'sare' }) as { format?: unknown; formatVersion?: unknown; modelId?: unknown };
  if (document.format !== SARE_FORMAT || document.formatVersion !== SARE_FORMAT_VERSION) {
    throw new ModelMismatchError(`is not a SARE folder of format "${SARE_FORMAT}" version ${SARE_FORMAT_VERSION} (found ${JSON.stringify(document.format)} version ${JSON.stringify(document.formatVersion)}).`, {
      path: file,
      expected: SARE_FORMAT,
      actual: document.format,
    });
  }
  const inference = checkEncoderInference(options.inference ?? 'tfjs');
  const cache = integerOption('embeddingCache', options.embeddingCache, 10_000, 0);
  const threads = integerOption('threads', options.threads, 1, 1);
  const modelId = typeof document.modelId === 'string' ? document.modelId : `sare:${path.basename(path.resolve(dir))}`;
  // Threads spread tfjs forward passes; onnxruntime has its own (every core).
  if (inference === 'tfjs' && threads > 1) {
    const threaded = await openThreadedTextEncoder({ dir, ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }) }, { threads });
    return constructSareReranker(threaded.encoder, modelId, cache, threaded);
  }
  const encoder = await loadTrainableEncoder(dir, inference === 'onnx' ? {} : { batchSize: options.batchSize });
  let inferenceEncoder: TextEmbeddingModel | undefined;
  try {
    if (inference === 'onnx' && encoder.architecture === 'bert') inferenceEncoder = await loadInferenceEncoder(dir, { inference, ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }) });
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  return constructSareReranker(encoder, modelId, cache, inferenceEncoder);
}

