import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, readJsonFile } from '@score/core';
import type { PoolingMode } from './pooling';

/** Reads a JSON object file; a missing file is an `ArtifactNotFoundError`, bad JSON or another JSON value a `DataFormatError`. */
export function readJsonObject(filePath: string, what: string): Record<string, unknown> {
  const value = readJsonFile(filePath, what);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DataFormatError(`${what} is not a JSON object.`, { path: filePath });
  return value as Record<string, unknown>;
}

/** Encoder settings a model folder states (sentence-transformers files or @score's own `config.json` block). */
export interface FolderSettings {
  pooling?: PoolingMode;
  maxLength?: number;
  normalize?: boolean;
  /** `max_position_embeddings` of `config.json`. */
  maxPositions?: number;
  /** `vocab_size` of `config.json`. */
  vocabSize?: number;
  /** Texts per tfjs forward pass (`score_encoder.batch_size`, written by `save`). */
  batchSize?: number;
  /** Whether `config.json` has @score's `score_encoder` block (a folder written by `save`, not a downloaded checkpoint). */
  savedByScore?: boolean;
}

/**
 * Reads `config.json` (vocab size, positions, and @score's `score_encoder` block),
 * `sentence_bert_config.json` (max_seq_length), `1_Pooling/config.json` (pooling mode) and
 * `modules.json` (a Normalize module) when present.
 */
export function readFolderSettings(dir: string): FolderSettings {
  const settings: FolderSettings = {};
  const configPath = path.join(dir, 'config.json');
  if (fs.existsSync(configPath)) {
    const config = readJsonObject(configPath, 'Model config (config.json)');
    if (typeof config['vocab_size'] === 'number') settings.vocabSize = config['vocab_size'];
    if (typeof config['max_position_embeddings'] === 'number') settings.maxPositions = config['max_position_embeddings'];
    const own = config['score_encoder'] as { pooling?: unknown; normalize?: unknown; max_length?: unknown; batch_size?: unknown } | undefined;
    if (own && typeof own === 'object') {
      settings.savedByScore = true;
      if (typeof own.batch_size === 'number' && Number.isInteger(own.batch_size) && own.batch_size > 0) settings.batchSize = own.batch_size;
      if (own.pooling === 'mean' || own.pooling === 'cls') settings.pooling = own.pooling;
      if (typeof own.normalize === 'boolean') settings.normalize = own.normalize;
      if (typeof own.max_length === 'number') settings.maxLength = own.max_length;
    }
  }
  const sbertPath = path.join(dir, 'sentence_bert_config.json');
  if (fs.existsSync(sbertPath)) {
    const sbert = readJsonObject(sbertPath, 'Sentence-transformers config (sentence_bert_config.json)');
    if (typeof sbert['max_seq_length'] === 'number') settings.maxLength ??= sbert['max_seq_length'];
  }
  const poolingPath = path.join(dir, '1_Pooling', 'config.json');
  if (fs.existsSync(poolingPath)) {
    const pooling = readJsonObject(poolingPath, 'Pooling config (1_Pooling/config.json)');
    if (pooling['pooling_mode_cls_token'] === true) settings.pooling ??= 'cls';
    else if (pooling['pooling_mode_mean_tokens'] === true) settings.pooling ??= 'mean';
  }
  const modulesPath = path.join(dir, 'modules.json');
  if (fs.existsSync(modulesPath) && settings.normalize === undefined) {
    const modules = readJsonFile(modulesPath, 'modules.json') as { type?: string }[];
    if (Array.isArray(modules)) settings.normalize = modules.some((m) => typeof m.type === 'string' && m.type.endsWith('.Normalize'));
  }
  return settings;
}
