import { DataFormatError } from '@score/core';
import { float16BitsToFloat32 } from '@score/core';
import { GGML_TYPE_LAYOUTS } from './gguf-types';

let halfTable: Float32Array | undefined;

/** All 65,536 half-precision values, so that block scales are one lookup each. */
function halves(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = float16BitsToFloat32(bits);
  }
  return halfTable;
}

/** Q4_0: `block_q4_0 { ggml_half d; uint8_t qs[16]; }`, x = (q - 8) d (ggml-quants.c `dequantize_row_q4_0`). */
function q4_0(bytes: Uint8Array, out: Float32Array, blocks: number): void {
  const h = halves();
  for (let b = 0; b < blocks; b++) {
    const at = b * 18;
    const d = h[bytes[at]! | (bytes[at + 1]! << 8)]!;
    const y = b * 32;
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 2 + j]!;
      out[y + j] = ((q & 0x0f) - 8) * d;
      out[y + j + 16] = ((q >> 4) - 8) * d;
    }
  }
}

/** Q4_1: `block_q4_1 { ggml_half d; ggml_half m; uint8_t qs[16]; }`, x = q d + m (ggml-quants.c `dequantize_row_q4_1`). */
function q4_1(bytes: Uint8Array, out: Float32Array, blocks: number): void {
  const h = halves();
  for (let b = 0; b < blocks; b++) {
    const at = b * 20;
    const d = h[bytes[at]! | (bytes[at + 1]! << 8)]!;
    const m = h[bytes[at + 2]! | (bytes[at + 3]! << 8)]!;
    const y = b * 32;
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 4 + j]!;
      out[y + j] = (q & 0x0f) * d + m;
      out[y + j + 16] = (q >> 4) * d + m;
    }
  }
}

/** Q8_0: `block_q8_0 { ggml_half d; int8_t qs[32]; }`, x = q d (ggml-quants.c `dequantize_row_q8_0`). */
function q8_0(bytes: Uint8Array, out: Float32Array, blocks: number): void {
  const h = halves();
  for (let b = 0; b < blocks; b++) {
    const at = b * 34;
    const d = h[bytes[at]! | (bytes[at + 1]! << 8)]!;
    const y = b * 32;
    for (let j = 0; j < 32; j++) out[y + j] = ((bytes[at + 2 + j]! << 24) >> 24) * d;
  }
}

/** 6-bit scale and min number `j` of a Q4_K super-block's 12 packed bytes (ggml-quants.c `get_scale_min_k4`). */
function scaleMinK4(j: number, q: Uint8Array, at: number): [number, number] {
  if (j < 4) return [q[at + j]! & 63, q[at + j + 4]! & 63];
  return [(q[at + j + 4]! & 0x0f) | ((q[at + j - 4]! >> 6) << 4), (q[at + j + 4]! >> 4) | ((q[at + j]! >> 6) << 4)];
}

/**
 * Q4_K: `block_q4_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128]; }`, eight
 * 32-element sub-blocks with 6-bit scale and min, x = d sc q - dmin m (ggml-quants.c `dequantize_row_q4_K`).
 */
function q4_K(bytes: Uint8Array, out: Float32Array, blocks: number): void {
  const h = halves();
  for (let b = 0; b < blocks; b++) {
    const at = b * 144;
    const d = h[bytes[at]! | (bytes[at + 1]! << 8)]!;
    const dmin = h[bytes[at + 2]! | (bytes[at + 3]! << 8)]!;
    const scales = at + 4;
    let q = at + 16;
    let y = b * 256;
    for (let j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
      const [sc1, m1] = scaleMinK4(is, bytes, scales);
      const [sc2, m2] = scaleMinK4(is + 1, bytes, scales);
      const d1 = d * sc1;
      const min1 = dmin * m1;
      const d2 = d * sc2;
      const min2 = dmin * m2;
      for (let l = 0; l < 32; l++) out[y + l] = d1 * (bytes[q + l]! & 0x0f) - min1;
      for (let l = 0; l < 32; l++) out[y + 32 + l] = d2 * (bytes[q + l]! >> 4) - min2;
      y += 64;
    }
  }
}

/**
 * Q6_K: `block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }`, 6-bit
 * quants (low 4 bits in ql, high 2 in qh) minus 32, sixteen 16-element sub-blocks with int8 scales,
 * x = d sc q (ggml-quants.c `dequantize_row_q6_K`).
 */
function q6_K(bytes: Uint8Array, out: Float32Array, blocks: number): void {
  const h = halves();
  for (let b = 0; b < blocks; b++) {
    const at = b * 210;
    const d = h[bytes[at + 208]! | (bytes[at + 209]! << 8)]!;
    let ql = at;
    let qh = at + 128;
    let sc = at + 192;
    let y = b * 256;
    for (let n = 0; n < 256; n += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const high = bytes[qh + l]!;
        const q1 = ((bytes[ql + l]! & 0x0f) | (((high >> 0) & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32]! & 0x0f) | (((high >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l]! >> 4) | (((high >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32]! >> 4) | (((high >> 6) & 3) << 4)) - 32;
        const scale = (i: number): number => (bytes[sc + is + i]! << 24) >> 24;
        out[y + l] = d * scale(0) * q1;
        out[y + l + 32] = d * scale(2) * q2;
        out[y + l + 64] = d * scale(4) * q3;
        out[y + l + 96] = d * scale(6) * q4;
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}

/**
 * Dequantizes `elements` values of ggml type `typeCode` from their raw bytes (little-endian, as
 * stored in a GGUF file) to float32. Supported: F32, F16, BF16, Q4_0, Q4_1, Q8_0, Q4_K and Q6_K
 * (see {@link GGML_TYPE_LAYOUTS}); any other type throws a `DataFormatError` naming it.
 * @param source - the file and tensor, for error messages
 */
export function dequantizeGgml(typeCode: number, bytes: Uint8Array, elements: number, source: { path: string; field?: string } = { path: 'tensor data' }): Float32Array {
  const layout = GGML_TYPE_LAYOUTS[typeCode];
  if (!layout) {
    const known = Object.entries(GGML_TYPE_LAYOUTS).map(([code, entry]) => `${entry.name} (${code})`).join(', ');
    throw new DataFormatError(`ggml type code ${typeCode} cannot be dequantized; supported types are ${known}.`, source);
  }
  if (elements % layout.blockSize !== 0) {
    throw new DataFormatError(`${elements} values of type ${layout.name} do not fill whole ${layout.blockSize}-element blocks.`, source);
  }
  const blocks = elements / layout.blockSize;
  const needed = blocks * layout.typeSize;
  if (bytes.length < needed) {
    throw new DataFormatError(`${elements} values of type ${layout.name} need ${needed} bytes, but only ${bytes.length} are there; the file is truncated.`, source);
  }
  const out = new Float32Array(elements);
  switch (layout.name) {
    case 'F32': {
      const view = new DataView(bytes.buffer, bytes.byteOffset, needed);
      for (let i = 0; i < elements; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    }
    case 'F16': {
      const h = halves();
      for (let i = 0; i < elements; i++) out[i] = h[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
      break;
    }
    case 'BF16': {
      const view = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < elements; i++) {
        view.setUint32(0, ((bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16) >>> 0);
        out[i] = view.getFloat32(0);
      }
      break;
    }
    case 'Q4_0':
      q4_0(bytes, out, blocks);
      break;
    case 'Q4_1':
      q4_1(bytes, out, blocks);
      break;
    case 'Q8_0':
      q8_0(bytes, out, blocks);
      break;
    case 'Q4_K':
      q4_K(bytes, out, blocks);
      break;
    case 'Q6_K':
      q6_K(bytes, out, blocks);
      break;
  }
  return out;
}
