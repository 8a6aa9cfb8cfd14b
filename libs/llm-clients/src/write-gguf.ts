import { InvalidOptionError, writeFileAtomic, float32ToFloat16Bits } from '@score/core';
import {
  GGML_TYPE_CODES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_CODES,
  type GgufScalarType,
  type GgufTensor,
  type GgufValue,
} from './gguf-types';

/** What {@link writeGguf} writes. */
export interface WriteGgufOptions {
  /** Metadata key-value pairs, written in insertion order (see {@link GgufValue} for typing). */
  readonly metadata: Readonly<Record<string, GgufValue>>;
  /** Tensors, written in order. */
  readonly tensors: readonly GgufTensor[];
  /**
   * Tensor data alignment in bytes; when not 32 it is also written as `general.alignment`.
   * @defaultValue 32
   */
  readonly alignment?: number;
}

/** Growable little-endian byte buffer for the GGUF header. */
class ByteWriter {
  #buffer = Buffer.alloc(1 << 16);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const next = Buffer.alloc(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(next, 0, 0, this.#length);
    this.#buffer = next;
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#buffer.writeUInt8(value, this.#length);
    this.#length += 1;
  }
  u32(value: number): void {
    this.#reserve(4);
    this.#buffer.writeUInt32LE(value, this.#length);
    this.#length += 4;
  }
  u64(value: number | bigint): void {
    this.#reserve(8);
    this.#buffer.writeBigUInt64LE(BigInt(value), this.#length);
    this.#length += 8;
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.#reserve(bytes.length);
    bytes.copy(this.#buffer, this.#length);
    this.#length += bytes.length;
  }
  scalar(type: GgufScalarType, value: number | bigint | boolean | string): void {
    const size = { uint8: 1, int8: 1, bool: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8, string: 0 }[type];
    if (type === 'string') {
      this.string(String(value));
      return;
    }
    this.#reserve(size);
    const at = this.#length;
    const buffer = this.#buffer;
    switch (type) {
      case 'uint8': buffer.writeUInt8(Number(value), at); break;
      case 'int8': buffer.writeInt8(Number(value), at); break;
      case 'bool': buffer.writeUInt8(value ? 1 : 0, at); break;
      case 'uint16': buffer.writeUInt16LE(Number(value), at); break;
      case 'int16': buffer.writeInt16LE(Number(value), at); break;
      case 'uint32': buffer.writeUInt32LE(Number(value), at); break;
      case 'int32': buffer.writeInt32LE(Number(value), at); break;
      case 'float32': buffer.writeFloatLE(Number(value), at); break;
      case 'uint64': buffer.writeBigUInt64LE(BigInt(value as number | bigint), at); break;
      case 'int64': buffer.writeBigInt64LE(BigInt(value as number | bigint), at); break;
      case 'float64': buffer.writeDoubleLE(Number(value), at); break;
    }
    this.#length += size;
  }
  padTo(alignment: number): void {
    while (this.#length % alignment !== 0) this.u8(0);
  }
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}

/** The GGUF type of a plain metadata value (rule documented on {@link GgufValue}). */
export function inferGgufType(value: number | bigint | boolean | string): GgufScalarType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return value < 0n ? 'int64' : 'uint64';
  if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return 'uint32';
  if (Number.isInteger(value) && value < 0 && value >= -0x80000000) return 'int32';
  return 'float32';
}

function writeValue(writer: ByteWriter, key: string, value: GgufValue): void {
  if (Array.isArray(value)) {
    writer.u32(GGUF_VALUE_TYPE_CODES.array);
    writer.u32(GGUF_VALUE_TYPE_CODES.string);
    writer.u64(value.length);
    for (const item of value as readonly string[]) writer.string(String(item));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const typed = value as Exclude<GgufValue, string | boolean | number | bigint | readonly string[]>;
    if (typed.type === 'array') {
      if (!(typed.itemType in GGUF_VALUE_TYPE_CODES)) {
        throw new InvalidOptionError(`metadata.${key}.itemType`, `must be a GGUF scalar type, got ${JSON.stringify(typed.itemType)}.`);
      }
      writer.u32(GGUF_VALUE_TYPE_CODES.array);
      writer.u32(GGUF_VALUE_TYPE_CODES[typed.itemType]);
      writer.u64(typed.values.length);
      for (const item of typed.values) writer.scalar(typed.itemType, item);
      return;
    }
    if (!(typed.type in GGUF_VALUE_TYPE_CODES)) {
      throw new InvalidOptionError(`metadata.${key}.type`, `must be a GGUF scalar type or "array", got ${JSON.stringify(typed.type)}.`);
    }
    writer.u32(GGUF_VALUE_TYPE_CODES[typed.type]);
    writer.scalar(typed.type, typed.value);
    return;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new InvalidOptionError(`metadata.${key}`, `must be a finite number, got ${value}.`, value);
  }
  const type = inferGgufType(value);
  writer.u32(GGUF_VALUE_TYPE_CODES[type]);
  writer.scalar(type, value);
}

function tensorBytes(tensor: GgufTensor): Uint8Array {
  if (tensor.type === 'F32') {
    return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  }
  const half = new Uint16Array(tensor.data.length);
  for (let i = 0; i < tensor.data.length; i++) half[i] = float32ToFloat16Bits(tensor.data[i]);
  return new Uint8Array(half.buffer);
}

function validateTensor(tensor: GgufTensor, index: number, names: Set<string>): void {
  const field = `tensors[${index}]`;
  if (typeof tensor.name !== 'string' || tensor.name.length === 0 || Buffer.byteLength(tensor.name) > 64) {
    throw new InvalidOptionError(`${field}.name`, `must be a non-empty name of at most 64 bytes, got ${JSON.stringify(tensor.name)}.`);
  }
  if (names.has(tensor.name)) throw new InvalidOptionError(`${field}.name`, `"${tensor.name}" is used by two tensors; names must be unique.`);
  names.add(tensor.name);
  if (!Array.isArray(tensor.shape) || tensor.shape.length < 1 || tensor.shape.length > 4 || !tensor.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidOptionError(`${field}.shape`, `must list 1 to 4 positive integer dimensions, got ${JSON.stringify(tensor.shape)}.`);
  }
  if (!(tensor.type in GGML_TYPE_CODES)) {
    throw new InvalidOptionError(`${field}.type`, `must be "F32" or "F16", got ${JSON.stringify(tensor.type)}.`);
  }
  const elements = tensor.shape.reduce((a, b) => a * b, 1);
  if (!(tensor.data instanceof Float32Array) || tensor.data.length !== elements) {
    throw new InvalidOptionError(`${field}.data`, `must be a Float32Array of ${elements} values for shape [${tensor.shape.join(', ')}], got ${tensor.data?.length ?? 'none'}.`);
  }
}

/**
 * Writes a GGUF v3 file (magic, version, counts, metadata, tensor infos, padding, aligned tensor
 * data), as read by llama.cpp. The file is written to a temp name, fsynced, then renamed.
 */
export async function writeGguf(filePath: string, options: WriteGgufOptions): Promise<void> {
  const alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    throw new InvalidOptionError('alignment', `must be a positive multiple of 8, got ${alignment}.`, alignment);
  }
  if (typeof options.metadata !== 'object' || options.metadata === null) {
    throw new InvalidOptionError('metadata', 'must be an object of GGUF values.');
  }
  const names = new Set<string>();
  options.tensors.forEach((tensor, index) => validateTensor(tensor, index, names));

  const metadata: Record<string, GgufValue> = { ...options.metadata };
  if (alignment !== GGUF_DEFAULT_ALIGNMENT) metadata['general.alignment'] = { type: 'uint32', value: alignment };
  const keys = Object.keys(metadata);

  const header = new ByteWriter();
  header.u32(GGUF_MAGIC);
  header.u32(3);
  header.u64(options.tensors.length);
  header.u64(keys.length);
  for (const key of keys) {
    header.string(key);
    writeValue(header, key, metadata[key]);
  }
  const payloads = options.tensors.map(tensorBytes);
  let offset = 0;
  options.tensors.forEach((tensor, index) => {
    header.string(tensor.name);
    header.u32(tensor.shape.length);
    for (const dimension of tensor.shape) header.u64(dimension);
    header.u32(GGML_TYPE_CODES[tensor.type]);
    header.u64(offset);
    offset += Math.ceil(payloads[index].byteLength / alignment) * alignment;
  });
  header.padTo(alignment);

  function* chunks(): Generator<Uint8Array> {
    yield header.bytes();
    for (const payload of payloads) {
      yield payload;
      const padding = (alignment - (payload.byteLength % alignment)) % alignment;
      if (padding > 0) yield new Uint8Array(padding);
    }
  }
  await writeFileAtomic(filePath, chunks());
}
