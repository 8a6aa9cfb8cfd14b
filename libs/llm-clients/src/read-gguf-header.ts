import fs from 'node:fs';
import { DataFormatError } from '@score/core';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, type GgufScalarType, ggmlTensorBytes } from './gguf-types';

/** One tensor's entry in a GGUF header. */
export interface GgufTensorInfo {
  readonly name: string;
  /** Dimensions in ggml order. */
  readonly shape: readonly number[];
  /** ggml type code (0 = F32, 1 = F16, others are quantised types). */
  readonly typeCode: number;
  /** Offset of the data from the start of the data section. */
  readonly offset: number;
}

/** What {@link readGgufHeader} returns. */
export interface GgufHeader {
  readonly version: number;
  /** Metadata values: numbers, bigints (64-bit integers), booleans, strings, or arrays of them. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  /** Byte offset of the tensor data section in the file. */
  readonly dataOffset: number;
  /** Size of the file in bytes. */
  readonly fileSize: number;
}

const SCALAR_TYPES: readonly (GgufScalarType | 'array')[] = [
  'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64',
];
const SCALAR_SIZES: Partial<Record<GgufScalarType, number>> = {
  uint8: 1, int8: 1, bool: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8,
};

/** Reads a file through a moving window so that large GGUF files are never loaded whole. */
class FileReader {
  position = 0;
  readonly #fd: number;
  readonly #size: number;
  readonly #path: string;
  #window = Buffer.alloc(0);
  #windowStart = 0;

  constructor(fd: number, size: number, path: string) {
    this.#fd = fd;
    this.#size = size;
    this.#path = path;
  }

  take(bytes: number, field: string): Buffer {
    if (this.position + bytes > this.#size) {
      throw new DataFormatError(`the file ends at byte ${this.#size} while reading ${bytes} bytes at offset ${this.position}; the GGUF header is truncated or corrupt.`, { path: this.#path, field });
    }
    const end = this.#windowStart + this.#window.length;
    if (this.position < this.#windowStart || this.position + bytes > end) {
      const length = Math.min(Math.max(bytes, 1 << 20), this.#size - this.position);
      const window = Buffer.alloc(length);
      fs.readSync(this.#fd, window, 0, length, this.position);
      this.#window = window;
      this.#windowStart = this.position;
    }
    const start = this.position - this.#windowStart;
    this.position += bytes;
    return this.#window.subarray(start, start + bytes);
  }

  u32(field: string): number {
    return this.take(4, field).readUInt32LE(0);
  }

  u64(field: string): number {
    const value = this.take(8, field).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DataFormatError(`the count or size ${value} is too large; the GGUF header is corrupt.`, { path: this.#path, field });
    }
    return Number(value);
  }

  string(field: string): string {
    const length = this.u64(field);
    return this.take(length, field).toString('utf8');
  }

  scalar(type: GgufScalarType, field: string): unknown {
    if (type === 'string') return this.string(field);
    const bytes = this.take(SCALAR_SIZES[type] ?? 0, field);
    switch (type) {
      case 'uint8': return bytes.readUInt8(0);
      case 'int8': return bytes.readInt8(0);
      case 'bool': return bytes.readUInt8(0) !== 0;
      case 'uint16': return bytes.readUInt16LE(0);
      case 'int16': return bytes.readInt16LE(0);
      case 'uint32': return bytes.readUInt32LE(0);
      case 'int32': return bytes.readInt32LE(0);
      case 'float32': return bytes.readFloatLE(0);
      case 'uint64': return bytes.readBigUInt64LE(0);
      case 'int64': return bytes.readBigInt64LE(0);
      case 'float64': return bytes.readDoubleLE(0);
    }
  }
}

function valueType(reader: FileReader, path: string, field: string): GgufScalarType | 'array' {
  const code = reader.u32(field);
  const type = SCALAR_TYPES[code];
  if (type === undefined) {
    throw new DataFormatError(`value type code ${code} is not a GGUF type (valid codes are 0 to 12).`, { path, field });
  }
  return type;
}

/**
 * Reads and validates the header of a GGUF file (v2 or v3): magic, version, metadata and tensor
 * infos, checking that every tensor's data lies inside the file. Throws a `DataFormatError`
 * naming the file and the field when the file is not a GGUF file or its header is corrupt.
 */
export function readGgufHeader(filePath: string): GgufHeader {
  const fd = fs.openSync(filePath, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    const reader = new FileReader(fd, fileSize, filePath);
    if (fileSize < 24) {
      throw new DataFormatError(`the file has ${fileSize} bytes, fewer than a GGUF header (24); it is not a GGUF model file.`, { path: filePath, field: 'magic' });
    }
    const magic = reader.u32('magic');
    if (magic !== GGUF_MAGIC) {
      const shown = Buffer.alloc(4);
      shown.writeUInt32LE(magic);
      throw new DataFormatError(`the file starts with ${JSON.stringify(shown.toString('latin1'))} instead of "GGUF"; it is not a GGUF model file.`, { path: filePath, field: 'magic' });
    }
    const version = reader.u32('version');
    if (version !== 2 && version !== 3) {
      throw new DataFormatError(`GGUF version ${version} is not supported; versions 2 and 3 are.`, { path: filePath, field: 'version' });
    }
    const tensorCount = reader.u64('tensor_count');
    const metadataCount = reader.u64('metadata_kv_count');
    // Every tensor info takes at least 24 bytes and every key-value at least 13.
    if (tensorCount * 24 + metadataCount * 13 > fileSize) {
      throw new DataFormatError(`the header announces ${tensorCount} tensors and ${metadataCount} metadata entries, more than a ${fileSize}-byte file can hold.`, { path: filePath, field: 'tensor_count' });
    }
    const metadata: Record<string, unknown> = {};
    for (let index = 0; index < metadataCount; index++) {
      const key = reader.string(`metadata[${index}].key`);
      const type = valueType(reader, filePath, key);
      if (type === 'array') {
        const itemType = valueType(reader, filePath, key);
        if (itemType === 'array') {
          throw new DataFormatError('nested arrays are not supported.', { path: filePath, field: key });
        }
        const count = reader.u64(key);
        if (count > fileSize) throw new DataFormatError(`the array length ${count} exceeds the file size.`, { path: filePath, field: key });
        const values: unknown[] = new Array(count);
        for (let i = 0; i < count; i++) values[i] = reader.scalar(itemType, key);
        metadata[key] = values;
      } else {
        metadata[key] = reader.scalar(type, key);
      }
    }
    const alignmentValue = metadata['general.alignment'];
    const alignment = alignmentValue === undefined ? GGUF_DEFAULT_ALIGNMENT : Number(alignmentValue);
    if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
      throw new DataFormatError(`general.alignment is ${String(alignmentValue)}; it must be a positive multiple of 8.`, { path: filePath, field: 'general.alignment' });
    }
    const tensors: GgufTensorInfo[] = [];
    for (let index = 0; index < tensorCount; index++) {
      const name = reader.string(`tensors[${index}].name`);
      const dimensions = reader.u32(`${name}.n_dimensions`);
      if (dimensions < 1 || dimensions > 4) {
        throw new DataFormatError(`tensor "${name}" has ${dimensions} dimensions; 1 to 4 are valid.`, { path: filePath, field: name });
      }
      const shape: number[] = [];
      for (let d = 0; d < dimensions; d++) shape.push(reader.u64(`${name}.shape`));
      const typeCode = reader.u32(`${name}.type`);
      const offset = reader.u64(`${name}.offset`);
      if (offset % alignment !== 0) {
        throw new DataFormatError(`tensor "${name}" starts at offset ${offset}, which is not a multiple of the alignment ${alignment}.`, { path: filePath, field: name });
      }
      tensors.push({ name, shape, typeCode, offset });
    }
    const dataOffset = Math.ceil(reader.position / alignment) * alignment;
    for (const tensor of tensors) {
      // Types of unknown layout are sized 0 here; readers of their data check again.
      const bytes = ggmlTensorBytes(tensor.typeCode, tensor.shape.reduce((a, b) => a * b, 1)) ?? 0;
      if (dataOffset + tensor.offset + bytes > fileSize) {
        throw new DataFormatError(`the data of tensor "${tensor.name}" ends at byte ${dataOffset + tensor.offset + bytes}, past the end of the ${fileSize}-byte file; the file is truncated.`, { path: filePath, field: tensor.name });
      }
    }
    return { version, metadata, tensors, alignment, dataOffset, fileSize };
  } finally {
    fs.closeSync(fd);
  }
}
