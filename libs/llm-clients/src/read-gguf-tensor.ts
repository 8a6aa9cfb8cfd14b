import fs from 'node:fs';
import { DataFormatError, InvalidOptionError } from '@score/core';
import { dequantizeGgml } from './dequantize-ggml';
import { GGML_TYPE_LAYOUTS, ggmlTensorBytes } from './gguf-types';
import type { GgufHeader } from './read-gguf-header';

/** A tensor read from a GGUF file, dequantized to float32. */
export interface GgufTensorValues {
  readonly name: string;
  /** Dimensions in ggml order (`shape[0]` varies fastest): reversed, it is the row-major shape. */
  readonly shape: readonly number[];
  /** The ggml type it was stored as, e.g. "Q4_1". */
  readonly storedType: string;
  readonly data: Float32Array;
}

/**
 * Reads one tensor of a GGUF file (its header from `readGgufHeader`) and dequantizes it to
 * float32 (`dequantizeGgml`). Throws `InvalidOptionError` for a name the header does not list
 * and `DataFormatError` for an unsupported type or truncated data.
 */
export function readGgufTensor(filePath: string, header: GgufHeader, name: string): GgufTensorValues {
  const info = header.tensors.find((tensor) => tensor.name === name);
  if (!info) throw new InvalidOptionError('name', `tensor "${name}" is not in ${filePath}.`, name);
  const elements = info.shape.reduce((a, b) => a * b, 1);
  const bytes = ggmlTensorBytes(info.typeCode, elements);
  if (bytes === undefined) {
    const known = Object.values(GGML_TYPE_LAYOUTS).map((layout) => layout.name).join(', ');
    throw new DataFormatError(`tensor "${name}" has ggml type code ${info.typeCode}, which cannot be dequantized; supported types are ${known}.`, { path: filePath, field: name });
  }
  const buffer = Buffer.alloc(bytes);
  const fd = fs.openSync(filePath, 'r');
  try {
    const read = fs.readSync(fd, buffer, 0, bytes, header.dataOffset + info.offset);
    if (read !== bytes) throw new DataFormatError(`tensor "${name}" needs ${bytes} bytes but the file ends after ${read}; the file is truncated.`, { path: filePath, field: name });
  } finally {
    fs.closeSync(fd);
  }
  const data = dequantizeGgml(info.typeCode, buffer, elements, { path: filePath, field: name });
  return { name, shape: info.shape, storedType: GGML_TYPE_LAYOUTS[info.typeCode]!.name, data };
}
