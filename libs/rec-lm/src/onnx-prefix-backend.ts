import { BackendUnavailableError, InvalidOptionError, ModelMismatchError, checkInteger } from '@score/core';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { LlamaModel } from './llama-model';
import { buildLlamaPrefixOnnx, LLAMA_PREFIX_ONNX_NAMES } from './llama-prefix-onnx';
import type { PrefixStatesBackend } from './prefix-states-backend';
import { rotaryTables } from './rotary-tables';

type Ort = typeof OrtModule;

/** Options of {@link createOnnxPrefixBackend}. */
export interface OnnxPrefixBackendOptions {
  /** Frozen bottom blocks to compute (the prefix cache's `layers`). */
  readonly layers: number;
  /** onnxruntime's intra-op threads. @defaultValue onnxruntime's default (one per physical core) */
  readonly threads?: number;
}

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new BackendUnavailableError('ONNX Runtime', [{ backend: 'onnxruntime-node', reason: `error loading onnxruntime-node. Reason: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

/** The frozen blocks in an onnxruntime session (CPU). */
class OnnxPrefixBackend implements PrefixStatesBackend {
  readonly kind = 'onnx';
  readonly layers: number;
  readonly #ort: Ort;
  readonly #session: InferenceSession;
  readonly #headDim: number;
  readonly #ropeTheta: number;
  readonly #tables = new Map<number, { cos: Tensor; sin: Tensor; mask: Tensor }>();
  #released = false;

  constructor(ort: Ort, session: InferenceSession, model: LlamaModel, layers: number) {
    this.#ort = ort;
    this.#session = session;
    this.layers = layers;
    this.#headDim = model.config.headDim;
    this.#ropeTheta = model.config.ropeTheta;
  }

  #tablesOf(time: number): { cos: Tensor; sin: Tensor; mask: Tensor } {
    let tables = this.#tables.get(time);
    if (!tables) {
      const { cos, sin, mask } = rotaryTables(time, this.#headDim, this.#ropeTheta);
      const { Tensor: OrtTensor } = this.#ort;
      tables = { cos: new OrtTensor('float32', cos, [time, this.#headDim]), sin: new OrtTensor('float32', sin, [time, this.#headDim]), mask: new OrtTensor('float32', mask, [time, time]) };
      // Prompt lengths vary: keep the tables of the most recent lengths only.
      if (this.#tables.size >= 64) this.#tables.delete(this.#tables.keys().next().value!);
      this.#tables.set(time, tables);
    }
    return tables;
  }

  async states(ids: Int32Array, batch: number, time: number): Promise<Float32Array> {
    if (this.#released) throw new InvalidOptionError('backend', 'the ONNX prefix backend was disposed.');
    if (ids.length !== batch * time) throw new InvalidOptionError('ids', `holds ${ids.length} ids, but batch ${batch} x time ${time} needs ${batch * time}.`, ids.length);
    const names = LLAMA_PREFIX_ONNX_NAMES;
    const { cos, sin, mask } = this.#tablesOf(time);
    const wide = BigInt64Array.from(ids, (id) => BigInt(id));
    const result = await this.#session.run({ [names.ids]: new this.#ort.Tensor('int64', wide, [batch, time]), [names.cos]: cos, [names.sin]: sin, [names.mask]: mask });
    const output = result[names.states]!;
    const data = output.data as Float32Array;
    output.dispose();
    return data;
  }

  async dispose(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#tables.clear();
    await this.#session.release();
  }
}

/**
 * The frozen bottom `layers` blocks of `model` (embedding + blocks 0..layers-1, float32) as an
 * onnxruntime CPU session, for `LlamaModel.enablePrefixCache({ backend })`: the graph is built in
 * memory by {@link buildLlamaPrefixOnnx} from the model's own weights (for a GGUF file, the same
 * dequantized weights the tfjs model holds), so both compute the same function (tested to 1e-4).
 * onnxruntime's multi-threaded matmuls run the cache pass many times faster than tfjs-wasm's single
 * thread (package README, "The cache pass on onnxruntime"). Holds a float32 copy of those weights
 * in onnxruntime's memory until `dispose()`.
 */
export async function createOnnxPrefixBackend(model: LlamaModel, options: OnnxPrefixBackendOptions): Promise<PrefixStatesBackend> {
  const layers = options.layers;
  if (!Number.isInteger(layers) || layers < 1 || layers >= model.config.numLayers) {
    throw new InvalidOptionError('layers', `must be an integer in [1, ${model.config.numLayers - 1}] (frozen blocks below the tuned ones), got ${layers}.`, layers);
  }
  const sessionOptions: InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', interOpNumThreads: 1 };
  if (options.threads !== undefined) Object.assign(sessionOptions, { intraOpNumThreads: checkInteger('threads', options.threads, 1) });
  const ort = await loadOrt();
  // Each weight is read when the graph needs it, so that only its transposed copy stays alive.
  let bytes: Uint8Array | undefined = buildLlamaPrefixOnnx(model.config, (name) => model.weight(name).dataSync() as Float32Array, { layers });
  try {
    const session = await ort.InferenceSession.create(bytes, sessionOptions);
    bytes = undefined;
    return new OnnxPrefixBackend(ort, session, model, layers);
  } catch (error) {
    throw new ModelMismatchError(`onnxruntime could not load the prefix graph of ${model.name ?? 'the model'} (${layers} blocks): ${error instanceof Error ? error.message : String(error)}`, { actual: layers });
  }
}
