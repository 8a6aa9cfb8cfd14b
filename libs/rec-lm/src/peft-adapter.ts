import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError, ModelMismatchError, writeFileAtomicSync } from '@score/core';
import { readSafetensors, writeSafetensors } from '@score/tfjs-runtime';
import type { LlamaModel } from './llama-model';
import { LORA_TARGETS, type LoraTarget, loraModulePath } from './lora-config';

/** Options of {@link saveLoraAdapter}. */
export interface SaveLoraAdapterOptions {
  /** Written as `base_model_name_or_path`; checked when the adapter is loaded. @defaultValue the model's `name`, else "" */
  readonly baseModel?: string;
}

const PREFIX = 'base_model.model.';

/**
 * Saves the model's LoRA adapters in PEFT's format: `adapter_config.json` and
 * `adapter_model.safetensors` with tensors named
 * `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` (A [r, in], B [out, r]).
 */
export async function saveLoraAdapter(model: LlamaModel, dir: string, options: SaveLoraAdapterOptions = {}): Promise<void> {
  const config = model.lora;
  if (!config) throw new InvalidOptionError('model', 'the model has no LoRA adapters to save; attach them with attachLora() first.');
  fs.mkdirSync(dir, { recursive: true });
  const adapters = await model.readLora();
  const tensors = [...adapters].flatMap(([module, pair]) => [
    { name: `${PREFIX}${module}.lora_A.weight`, shape: pair.a.shape, data: pair.a.data },
    { name: `${PREFIX}${module}.lora_B.weight`, shape: pair.b.shape, data: pair.b.data },
  ]);
  writeSafetensors(path.join(dir, 'adapter_model.safetensors'), tensors, { format: 'pt' });
  const adapterConfig = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: options.baseModel ?? model.name ?? '',
    r: config.rank,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: [...config.targetModules],
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    modules_to_save: null,
    ...(config.layersToTransform ? { layers_to_transform: [...config.layersToTransform], layers_pattern: 'layers' } : {}),
  };
  writeFileAtomicSync(path.join(dir, 'adapter_config.json'), `${JSON.stringify(adapterConfig, null, 2)}\n`);
}

/**
 * Loads a PEFT LoRA adapter folder onto a model. Throws `ModelMismatchError` when the adapter was
 * made for another base model (a different `base_model_name_or_path` than the model's `name`, or
 * adapter shapes or layers that do not fit it), `DataFormatError` for a malformed config.
 */
export function loadLoraAdapter(model: LlamaModel, dir: string): void {
  const configPath = path.join(dir, 'adapter_config.json');
  const weightsPath = path.join(dir, 'adapter_model.safetensors');
  if (!fs.existsSync(configPath)) throw new ArtifactNotFoundError(configPath, 'The adapter config (adapter_config.json)');
  if (!fs.existsSync(weightsPath)) throw new ArtifactNotFoundError(weightsPath, 'The adapter weights (adapter_model.safetensors)');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DataFormatError('adapter_config.json is not valid JSON.', { path: configPath, cause: error });
  }
  if (raw['peft_type'] !== undefined && raw['peft_type'] !== 'LORA') {
    throw new DataFormatError(`peft_type is ${JSON.stringify(raw['peft_type'])}; only "LORA" adapters can be loaded.`, { path: configPath, field: 'peft_type' });
  }
  const base = raw['base_model_name_or_path'];
  if (typeof base === 'string' && base !== '' && model.name !== undefined && base !== model.name && path.basename(base) !== path.basename(model.name)) {
    throw new ModelMismatchError(`the adapter was trained for base model "${base}", but this model is "${model.name}".`, { path: dir, expected: model.name, actual: base });
  }
  const rank = raw['r'];
  const alpha = raw['lora_alpha'];
  if (typeof rank !== 'number' || typeof alpha !== 'number') {
    throw new DataFormatError('"r" and "lora_alpha" must be numbers.', { path: configPath, field: typeof rank !== 'number' ? 'r' : 'lora_alpha' });
  }
  const targets = raw['target_modules'];
  const list = (Array.isArray(targets) ? targets : typeof targets === 'string' ? [targets] : []) as string[];
  const unknown = list.filter((target) => !(LORA_TARGETS as readonly string[]).includes(target));
  if (list.length === 0 || unknown.length > 0) {
    throw new DataFormatError(`target_modules must list some of ${LORA_TARGETS.join(', ')}, got ${JSON.stringify(targets)}.`, { path: configPath, field: 'target_modules' });
  }
  const { tensors } = readSafetensors(weightsPath);
  const weights = new Map<string, { a: Float32Array; b: Float32Array }>();
  for (const name of tensors.keys()) {
    const match = /^base_model\.model\.(model\.layers\.(\d+)\.(?:self_attn|mlp)\.\w+)\.lora_A(?:\.default)?\.weight$/.exec(name);
    if (!match) continue;
    const layer = Number(match[2]);
    if (layer >= model.config.numLayers) {
      throw new ModelMismatchError(`the adapter has weights for layer ${layer}, but the base model has ${model.config.numLayers} layers; it was trained for another base model.`, { path: dir, expected: model.config.numLayers, actual: layer + 1 });
    }
    const module = match[1]!;
    const a = tensors.get(name)!;
    const b = tensors.get(name.replace('.lora_A', '.lora_B'));
    if (!b) throw new DataFormatError(`"${name}" has no matching lora_B tensor.`, { path: weightsPath, field: name });
    const [out, input] = model.weight(`${module}.weight`).shape as [number, number];
    const fits = (shape: readonly number[], expected: readonly number[]): boolean => shape.length === 2 && shape[0] === expected[0] && shape[1] === expected[1];
    if (!fits(a.shape, [rank, input]) || !fits(b.shape, [out, rank])) {
      throw new ModelMismatchError(
        `"${module}" has lora_A [${a.shape.join(', ')}] and lora_B [${b.shape.join(', ')}], but this base model needs [${rank}, ${input}] and [${out}, ${rank}]; the adapter was trained for another base model.`,
        { path: dir, expected: [[rank, input], [out, rank]], actual: [a.shape, b.shape] },
      );
    }
    weights.set(module, { a: a.data as Float32Array, b: b.data as Float32Array });
  }
  const layersRaw = raw['layers_to_transform'];
  const layers = layersRaw === undefined || layersRaw === null ? undefined : typeof layersRaw === 'number' ? [layersRaw] : layersRaw;
  if (layers !== undefined && (!Array.isArray(layers) || layers.some((layer) => typeof layer !== 'number'))) {
    throw new DataFormatError(`layers_to_transform must be a layer index or a list of them, got ${JSON.stringify(layersRaw)}.`, { path: configPath, field: 'layers_to_transform' });
  }
  const adapted = (layers as number[] | undefined) ?? Array.from({ length: model.config.numLayers }, (_, layer) => layer);
  for (const layer of adapted) {
    for (const target of list) {
      if (!weights.has(loraModulePath(layer, target as LoraTarget))) {
        throw new ModelMismatchError(`the adapter has no weights for "${loraModulePath(layer, target as LoraTarget)}"; it was trained for a base model with fewer layers or other targets.`, { path: dir });
      }
    }
  }
  model.attachLora({ rank, alpha, dropout: typeof raw['lora_dropout'] === 'number' ? raw['lora_dropout'] : 0, targetModules: list as LoraTarget[], ...(layers ? { layersToTransform: layers as number[] } : {}) }, weights);
}
