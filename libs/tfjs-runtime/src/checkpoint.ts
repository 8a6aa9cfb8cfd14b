import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, ModelMismatchError, writeFileAtomicSync, readJsonFile } from '@score/core';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, type SafetensorsTensor, writeSafetensors } from './safetensors';

/** File names of a checkpoint folder. */
export interface CheckpointFileNames {
  /** @defaultValue "config.json" */
  readonly config?: string;
  /** @defaultValue "model.safetensors" */
  readonly weights?: string;
}

/**
 * Saves named float32 tensors as `model.safetensors` and `config` as `config.json` in `dir`,
 * each written to a temp name and renamed. The weights go first, so a folder whose config exists
 * always has its weights.
 */
export function saveCheckpoint(dir: string, config: unknown, weights: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>, files: CheckpointFileNames = {}): void {
  const entries = weights instanceof Map ? [...weights.entries()] : Object.entries(weights);
  writeSafetensors(
    path.join(dir, files.weights ?? 'model.safetensors'),
    entries.map(([name, tensor]) => ({ name, shape: tensor.shape, data: tensor.dataSync() as Float32Array })),
    { format: 'score' },
  );
  writeFileAtomicSync(path.join(dir, files.config ?? 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** A checkpoint read by {@link loadCheckpoint}: the parsed config and every weight. */
export interface LoadedCheckpoint {
  readonly config: unknown;
  readonly weights: ReadonlyMap<string, SafetensorsTensor>;
  readonly configPath: string;
  readonly weightsPath: string;
}

/**
 * Reads a folder written by {@link saveCheckpoint}.
 * @throws ArtifactNotFoundError when the config or weights file is missing; DataFormatError when the config is not JSON.
 */
export function loadCheckpoint(dir: string, files: CheckpointFileNames = {}): LoadedCheckpoint {
  const configPath = path.join(dir, files.config ?? 'config.json');
  const weightsPath = path.join(dir, files.weights ?? 'model.safetensors');
  const config = readJsonFile(configPath, 'Model config');
  if (!fs.existsSync(weightsPath)) throw new ArtifactNotFoundError(weightsPath, 'Model weights');
  return { config, weights: readSafetensors(weightsPath).tensors, configPath, weightsPath };
}

/**
 * Copies checkpoint weights into `variables` (by name), checking that the names and shapes match.
 * @throws ModelMismatchError naming the first missing, extra or wrongly shaped tensor.
 */
export function assignCheckpointWeights(weightsPath: string, weights: ReadonlyMap<string, SafetensorsTensor>, variables: ReadonlyMap<string, tf.Variable>): void {
  for (const [name, variable] of variables) {
    const tensor = weights.get(name);
    if (!tensor) throw new ModelMismatchError(`the checkpoint has no tensor "${name}", which the model needs.`, { path: weightsPath, expected: name });
    if (tensor.shape.length !== variable.shape.length || tensor.shape.some((size, i) => size !== variable.shape[i])) {
      throw new ModelMismatchError(`tensor "${name}" has shape ${JSON.stringify(tensor.shape)}, but the model's config needs ${JSON.stringify(variable.shape)}.`, {
        path: weightsPath,
        expected: variable.shape,
        actual: tensor.shape,
      });
    }
  }
  for (const name of weights.keys()) {
    if (!variables.has(name)) throw new ModelMismatchError(`the checkpoint has a tensor "${name}" that the model does not use.`, { path: weightsPath, actual: name });
  }
  for (const [name, variable] of variables) {
    const tensor = weights.get(name)!;
    tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(tensor.data), variable.shape, 'float32')));
  }
}
