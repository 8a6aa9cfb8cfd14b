/** Scalar value types of GGUF metadata (GGUF v3 spec, `gguf_metadata_value_type`). */
export type GgufScalarType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'bool'
  | 'string'
  | 'uint64'
  | 'int64'
  | 'float64';

/** A metadata value with an explicit GGUF type. */
export type GgufTypedValue =
  | { readonly type: GgufScalarType; readonly value: number | bigint | boolean | string }
  | {
      readonly type: 'array';
      readonly itemType: GgufScalarType;
      readonly values: readonly (number | bigint | boolean | string)[] | Float32Array | Int32Array | Uint32Array;
    };

/**
 * A GGUF metadata value. Plain values are typed by {@link inferGgufType}'s rule: a string is
 * `string`, a boolean `bool`, a bigint `uint64` (or `int64` when negative), an integer in
 * [0, 2^32) `uint32`, a negative integer `int32`, any other number `float32`, and a string array
 * an array of strings. Use a {@link GgufTypedValue} for anything else.
 */
export type GgufValue = string | boolean | number | bigint | readonly string[] | GgufTypedValue;

/** Tensor element types this package writes (ggml_type 0 and 1). */
export type GgufTensorType = 'F32' | 'F16';

/** One tensor to write. */
export interface GgufTensor {
  /** Tensor name, e.g. "blk.0.attn_q.weight". */
  readonly name: string;
  /** Dimensions in ggml order: `shape[0]` is the fastest-varying (innermost) one. */
  readonly shape: readonly number[];
  readonly type: GgufTensorType;
  /** Values in ggml order (row-major over the reversed shape); converted to `type` on write. */
  readonly data: Float32Array;
}

/** The numeric codes of the GGUF value types (GGUF v3 spec). */
export const GGUF_VALUE_TYPE_CODES: Readonly<Record<GgufScalarType | 'array', number>> = Object.freeze({
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
});

/** The ggml type codes of the tensor types this package writes. */
export const GGML_TYPE_CODES: Readonly<Record<GgufTensorType, number>> = Object.freeze({ F32: 0, F16: 1 });

/** The default (and written) tensor data alignment, in bytes (`general.alignment`). */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** The four bytes every GGUF file starts with ("GGUF"). */
export const GGUF_MAGIC = 0x46554747;

/** Block size (elements per block) and type size (bytes per block) of a ggml tensor type. */
export interface GgmlTypeLayout {
  /** The ggml name, e.g. "Q4_K". */
  readonly name: string;
  /** Elements per block (1 for plain floats, 32 for Q4_0/Q4_1/Q8_0, 256 for K-quants). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

/**
 * Layouts of the ggml tensor types this package can size and dequantize, by ggml type code
 * (`ggml_type` and `type_traits` in ggml/src/ggml.c; block structs in ggml/src/ggml-common.h).
 */
export const GGML_TYPE_LAYOUTS: Readonly<Record<number, GgmlTypeLayout>> = Object.freeze({
  0: { name: 'F32', blockSize: 1, typeSize: 4 },
  1: { name: 'F16', blockSize: 1, typeSize: 2 },
  2: { name: 'Q4_0', blockSize: 32, typeSize: 18 },
  3: { name: 'Q4_1', blockSize: 32, typeSize: 20 },
  8: { name: 'Q8_0', blockSize: 32, typeSize: 34 },
  12: { name: 'Q4_K', blockSize: 256, typeSize: 144 },
  14: { name: 'Q6_K', blockSize: 256, typeSize: 210 },
  30: { name: 'BF16', blockSize: 1, typeSize: 2 },
});

/** Bytes of `elements` values of a ggml type, or undefined when the type is not in {@link GGML_TYPE_LAYOUTS}. */
export function ggmlTensorBytes(typeCode: number, elements: number): number | undefined {
  const layout = GGML_TYPE_LAYOUTS[typeCode];
  if (!layout) return undefined;
  return Math.ceil(elements / layout.blockSize) * layout.typeSize;
}
