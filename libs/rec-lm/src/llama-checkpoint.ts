import fs from 'node:fs';
import path from 'node:path';
import { ModelMismatchError, writeFileAtomicSync, readJsonFile } from '@score/core';
import { openSafetensorsCheckpoint, writeSafetensors } from '@score/tfjs-runtime';
import { type LlamaConfig, parseHuggingFaceConfig, toHuggingFaceConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { expectedWeightShapes } from './llama-weights';

/** Reads and validates `config.json` of a Hugging Face model folder. */
export function readHuggingFaceConfig(dir: string): LlamaConfig {
  const file = path.join(dir, 'config.json');
  return parseHuggingFaceConfig(readJsonFile(file, 'The model config (config.json)'), file);
}

/** Options of {@link loadLlamaCheckpoint}. */
export interface LoadLlamaCheckpointOptions {
  /** The model's name, checked against adapters' `base_model_name_or_path`. @defaultValue the folder's name */
  readonly name?: string;
}

/**
 * Loads a Hugging Face Llama-family checkpoint folder (`config.json` plus `model.safetensors` or
 * sharded `model.safetensors.index.json`), weights by their Hugging Face names. Every tensor's
 * shape is checked against the config: a mismatch throws `ModelMismatchError` naming the tensor,
 * its shape and the shape the config implies. Extra buffers (`rotary_emb.inv_freq`) are skipped.
 */
export function loadLlamaCheckpoint(dir: string, options: LoadLlamaCheckpointOptions = {}): LlamaModel {
  const config = readHuggingFaceConfig(dir);
  const checkpoint = openSafetensorsCheckpoint(dir);
  try {
    const expected = expectedWeightShapes(config);
    const weights = new Map<string, Float32Array>();
    for (const name of checkpoint.names) {
      if (name.endsWith('rotary_emb.inv_freq')) continue;
      if (name === 'lm_head.weight' && config.tieWordEmbeddings) continue;
      const shape = expected.get(name);
      if (!shape) {
        throw new ModelMismatchError(`tensor "${name}" is not part of a Llama model with ${config.numLayers} layers (config.json num_hidden_layers); the checkpoint does not match its config.`, { path: dir, actual: name });
      }
      const tensor = checkpoint.read(name);
      if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
        throw new ModelMismatchError(
          `tensor "${name}" has shape [${tensor.shape.join(', ')}], but config.json (hidden_size ${config.hiddenSize}, intermediate_size ${config.intermediateSize}, vocab_size ${config.vocabSize}, ${config.numHeads} heads, ${config.numKeyValueHeads} key/value heads, head_dim ${config.headDim}) needs [${shape.join(', ')}].`,
          { path: dir, expected: shape, actual: tensor.shape },
        );
      }
      if (!(tensor.data instanceof Float32Array)) throw new ModelMismatchError(`tensor "${name}" has dtype ${tensor.dtype}; only floating-point weights can be loaded.`, { path: dir, actual: tensor.dtype });
      weights.set(name, tensor.data);
    }
    for (const [name, shape] of expected) {
      if (!weights.has(name)) throw new ModelMismatchError(`tensor "${name}" (shape [${shape.join(', ')}]) is missing from the checkpoint.`, { path: dir, expected: name });
    }
    return LlamaModel.create({ config, weights, source: dir, name: options.name ?? path.basename(path.resolve(dir)) });
  } finally {
    checkpoint.close();
  }
}

/** Saves a model as a Hugging Face checkpoint folder: `config.json` and `model.safetensors` (F32). */
export async function saveLlamaCheckpoint(model: LlamaModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const weights = await model.readWeights();
  writeSafetensors(path.join(dir, 'model.safetensors'), [...weights].map(([name, tensor]) => ({ name, shape: tensor.shape, data: tensor.data })), { format: 'pt' });
  writeFileAtomicSync(path.join(dir, 'config.json'), `${JSON.stringify(toHuggingFaceConfig(model.config), null, 2)}\n`);
}
