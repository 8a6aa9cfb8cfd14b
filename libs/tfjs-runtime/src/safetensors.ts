import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError, writeFileAtomicSync, float16BitsToFloat32, float32ToFloat16Bits } from '@score/core';

/** Element types of the safetensors format. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Readonly<Record<SafetensorsDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte offsets into the data section, [begin, end). */
  readonly dataOffsets: readonly [number, number];
}

/** A tensor read from a file, converted to a JS typed array (floats become Float32Array). */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
}

/** A tensor to write: float data is written as F32 unless `dtype` says F16. */
export interface SafetensorsInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
  /** @defaultValue "F32" for Float32Array, "I32" for Int32Array */
  readonly dtype?: 'F32' | 'F16' | 'I32';
}

/**
 * A safetensors file opened for lazy reading: the header is parsed at open, each tensor is read
 * from disk only when asked for. Format: 8-byte little-endian header length, a JSON header of
 * `{name: {dtype, shape, data_offsets}}` plus optional `__metadata__`, then the raw data.
 */
export class SafetensorsFile {
  readonly path: string;
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
  #fd: number | undefined;
  readonly #dataStart: number;

  private constructor(filePath: string, fd: number, entries: Map<string, SafetensorsEntry>, metadata: Record<string, string>, dataStart: number) {
    this.path = filePath;
    this.#fd = fd;
    this.entries = entries;
    this.metadata = metadata;
    this.#dataStart = dataStart;
  }

  /** Opens and validates a file; throws `ArtifactNotFoundError` or `DataFormatError`. */
  static open(filePath: string): SafetensorsFile {
    if (!fs.existsSync(filePath)) throw new ArtifactNotFoundError(filePath, 'Safetensors file');
    const fd = fs.openSync(filePath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < 8) throw new DataFormatError(`file is ${size} bytes, too short for a safetensors header.`, { path: filePath });
      const lengthBuffer = Buffer.alloc(8);
      fs.readSync(fd, lengthBuffer, 0, 8, 0);
      const headerLength = Number(lengthBuffer.readBigUInt64LE(0));
      if (headerLength <= 0 || 8 + headerLength > size || headerLength > 100_000_000) {
        throw new DataFormatError(`header length ${headerLength} does not fit a ${size}-byte file; this is not a safetensors file.`, { path: filePath });
      }
      const headerBuffer = Buffer.alloc(headerLength);
      fs.readSync(fd, headerBuffer, 0, headerLength, 8);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(headerBuffer.toString('utf8')) as Record<string, unknown>;
      } catch (error) {
        throw new DataFormatError('the header is not valid JSON; this is not a safetensors file.', { path: filePath, cause: error });
      }
      const dataLength = size - 8 - headerLength;
      const entries = new Map<string, SafetensorsEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(header)) {
        if (name === '__metadata__') {
          metadata = (value ?? {}) as Record<string, string>;
          continue;
        }
        const raw = value as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
        if (!raw || typeof raw.dtype !== 'string' || !(raw.dtype in BYTES) || !Array.isArray(raw.shape) || !Array.isArray(raw.data_offsets)) {
          throw new DataFormatError(`tensor "${name}" has an invalid header entry ${JSON.stringify(value)}.`, { path: filePath, field: name });
        }
        const dtype = raw.dtype as SafetensorsDtype;
        const [begin, end] = raw.data_offsets;
        const elements = raw.shape.reduce((a, b) => a * b, 1);
        if (end - begin !== elements * BYTES[dtype] || end > dataLength || begin < 0) {
          throw new DataFormatError(
            `tensor "${name}" (${dtype} ${JSON.stringify(raw.shape)}) has data offsets [${begin}, ${end}) that do not match its shape or the file size.`,
            { path: filePath, field: name },
          );
        }
        entries.set(name, { dtype, shape: raw.shape, dataOffsets: [begin, end] });
      }
      return new SafetensorsFile(filePath, fd, entries, metadata, 8 + headerLength);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** Names of every tensor, in header order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** Reads one tensor (floats as Float32Array, I64/I32/I16/I8 as Int32Array, U8/BOOL as Uint8Array). */
  read(name: string): SafetensorsTensor {
    const entry = this.entries.get(name);
    if (!entry) throw new InvalidOptionError('name', `tensor "${name}" is not in ${this.path}; it has ${this.entries.size} tensors (e.g. ${this.names.slice(0, 3).join(', ')}).`, name);
    if (this.#fd === undefined) throw new InvalidOptionError('file', `${this.path} is closed.`);
    const [begin, end] = entry.dataOffsets;
    const bytes = Buffer.alloc(end - begin);
    fs.readSync(this.#fd, bytes, 0, bytes.length, this.#dataStart + begin);
    const n = bytes.length / BYTES[entry.dtype];
    let data: Float32Array | Int32Array | Uint8Array;
    switch (entry.dtype) {
      case 'F32':
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = bytes.readFloatLE(i * 4);
        break;
      case 'F64':
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = bytes.readDoubleLE(i * 8);
        break;
      case 'F16':
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = float16BitsToFloat32(bytes.readUInt16LE(i * 2));
        break;
      case 'BF16': {
        const out = new Float32Array(n);
        const view = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) view[i] = bytes.readUInt16LE(i * 2) << 16;
        data = out;
        break;
      }
      case 'I64':
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = Number(bytes.readBigInt64LE(i * 8));
        break;
      case 'I32':
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = bytes.readInt32LE(i * 4);
        break;
      case 'I16':
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = bytes.readInt16LE(i * 2);
        break;
      case 'I8':
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = bytes.readInt8(i);
        break;
      default:
        data = new Uint8Array(bytes);
    }
    return { name, dtype: entry.dtype, shape: entry.shape, data };
  }

  /** Closes the file handle. */
  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Reads every tensor of a file into memory. */
export function readSafetensors(filePath: string): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  const file = SafetensorsFile.open(filePath);
  try {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const name of file.names) tensors.set(name, file.read(name));
    return { tensors, metadata: { ...file.metadata } };
  } finally {
    file.close();
  }
}

/**
 * Opens a Hugging Face checkpoint folder: `model.safetensors`, or shards listed by
 * `model.safetensors.index.json` (`weight_map`: tensor name -> shard file). Returns a reader over
 * all tensors; close it when done.
 */
export function openSafetensorsCheckpoint(dir: string, baseName = 'model'): { names: string[]; read(name: string): SafetensorsTensor; has(name: string): boolean; close(): void } {
  const single = path.join(dir, `${baseName}.safetensors`);
  const index = path.join(dir, `${baseName}.safetensors.index.json`);
  const files = new Map<string, SafetensorsFile>();
  const owner = new Map<string, SafetensorsFile>();
  if (fs.existsSync(single)) {
    const file = SafetensorsFile.open(single);
    files.set(single, file);
    for (const name of file.names) owner.set(name, file);
  } else if (fs.existsSync(index)) {
    let weightMap: Record<string, string>;
    try {
      weightMap = (JSON.parse(fs.readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
    } catch (error) {
      throw new DataFormatError('the shard index is not valid JSON with a "weight_map".', { path: index, cause: error });
    }
    if (!weightMap || typeof weightMap !== 'object') throw new DataFormatError('the shard index has no "weight_map" object.', { path: index, field: 'weight_map' });
    for (const [name, shard] of Object.entries(weightMap)) {
      const shardPath = path.join(dir, shard);
      let file = files.get(shardPath);
      if (!file) {
        file = SafetensorsFile.open(shardPath);
        files.set(shardPath, file);
      }
      if (!file.entries.has(name)) throw new DataFormatError(`the index maps "${name}" to ${shard}, which does not contain it.`, { path: index, field: name });
      owner.set(name, file);
    }
  } else {
    throw new ArtifactNotFoundError(single, `Weights (${baseName}.safetensors or ${baseName}.safetensors.index.json)`);
  }
  return {
    names: [...owner.keys()],
    has: (name) => owner.has(name),
    read(name) {
      const file = owner.get(name);
      if (!file) throw new InvalidOptionError('name', `tensor "${name}" is not in the checkpoint at ${dir}.`, name);
      return file.read(name);
    },
    close() {
      for (const file of files.values()) file.close();
    },
  };
}

/** Writes tensors (and optional string metadata) as one safetensors file, atomically. */
export function writeSafetensors(filePath: string, tensors: readonly SafetensorsInput[], metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  const seen = new Set<string>();
  const dtypes: ('F32' | 'F16' | 'I32')[] = [];
  for (const tensor of tensors) {
    if (seen.has(tensor.name)) throw new InvalidOptionError('tensors', `tensor name "${tensor.name}" appears twice.`);
    seen.add(tensor.name);
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new InvalidOptionError(`tensors.${tensor.name}`, `shape ${JSON.stringify(tensor.shape)} needs ${elements} values, got ${tensor.data.length}.`);
    }
    const dtype = tensor.dtype ?? (tensor.data instanceof Int32Array ? 'I32' : 'F32');
    dtypes.push(dtype);
    const length = elements * BYTES[dtype];
    header[tensor.name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  tensors.forEach((tensor, i) => {
    const dtype = dtypes[i]!;
    for (let j = 0; j < tensor.data.length; j++) {
      const value = tensor.data[j]!;
      if (dtype === 'F32') position = out.writeFloatLE(value, position);
      else if (dtype === 'F16') position = out.writeUInt16LE(float32ToFloat16Bits(value), position);
      else position = out.writeInt32LE(value, position);
    }
  });
  writeFileAtomicSync(filePath, out);
}
