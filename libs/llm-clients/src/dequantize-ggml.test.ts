import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { dequantizeGgml } from './dequantize-ggml';
import { float32ToFloat16Bits } from '@score/core';
import { ggmlTensorBytes } from './gguf-types';
import { readGgufHeader } from './read-gguf-header';
import { readGgufTensor } from './read-gguf-tensor';
import { writeGguf } from './write-gguf';

// Hand-made blocks: each test packs chosen quants and scales the way ggml's quantizers lay them
// out (ggml-common.h block structs) and checks every dequantized value against the formula.

function half(bytes: Uint8Array, at: number, value: number): void {
  const bits = float32ToFloat16Bits(value);
  bytes[at] = bits & 0xff;
  bytes[at + 1] = bits >> 8;
}

describe('dequantizeGgml', () => {
  it('Q4_0: x = (q - 8) d, low nibbles first then high nibbles', () => {
    const bytes = new Uint8Array(36);
    for (let b = 0; b < 2; b++) {
      half(bytes, b * 18, b === 0 ? 0.5 : -3);
      for (let j = 0; j < 16; j++) bytes[b * 18 + 2 + j] = j | ((15 - j) << 4);
    }
    const values = dequantizeGgml(2, bytes, 64);
    for (let b = 0; b < 2; b++) {
      const d = b === 0 ? 0.5 : -3;
      for (let j = 0; j < 16; j++) {
        expect(values[b * 32 + j]).toBe((j - 8) * d);
        expect(values[b * 32 + 16 + j]).toBe((7 - j) * d);
      }
    }
  });

  it('Q4_1: x = q d + m', () => {
    const bytes = new Uint8Array(20);
    half(bytes, 0, 0.25);
    half(bytes, 2, -1);
    for (let j = 0; j < 16; j++) bytes[4 + j] = j | ((15 - j) << 4);
    const values = dequantizeGgml(3, bytes, 32);
    for (let j = 0; j < 16; j++) {
      expect(values[j]).toBe(j * 0.25 - 1);
      expect(values[16 + j]).toBe((15 - j) * 0.25 - 1);
    }
  });

  it('Q8_0: x = q d with signed 8-bit quants', () => {
    const bytes = new Uint8Array(34);
    half(bytes, 0, 2);
    for (let j = 0; j < 32; j++) bytes[2 + j] = (j * 8 - 127) & 0xff;
    const values = dequantizeGgml(8, bytes, 32);
    for (let j = 0; j < 32; j++) expect(values[j]).toBe((j * 8 - 127) * 2);
  });

  it('Q4_K: eight sub-blocks with packed 6-bit scales and mins, x = d sc q - dmin m', () => {
    const bytes = new Uint8Array(144);
    const d = 0.5;
    const dmin = 0.25;
    half(bytes, 0, d);
    half(bytes, 2, dmin);
    // Scales and mins above 15 for sub-blocks 4..7 exercise the high bits stored in bytes 0..7.
    const sc = [1, 2, 3, 63, 44, 45, 17, 31];
    const mins = [0, 5, 60, 7, 20, 33, 48, 2];
    const scales = bytes.subarray(4, 16);
    for (let j = 0; j < 8; j++) {
      // The packing of ggml-quants.c quantize_row_q4_K_ref.
      if (j < 4) {
        scales[j] = sc[j]!;
        scales[j + 4] = mins[j]!;
      } else {
        scales[j + 4] = (sc[j]! & 0xf) | ((mins[j]! & 0xf) << 4);
        scales[j - 4]! |= (sc[j]! >> 4) << 6;
        scales[j]! |= (mins[j]! >> 4) << 6;
      }
    }
    const quant = (e: number): number => (e * 7 + 3) % 16;
    for (let chunk = 0; chunk < 4; chunk++) {
      for (let l = 0; l < 32; l++) bytes[16 + chunk * 32 + l] = quant(chunk * 64 + l) | (quant(chunk * 64 + 32 + l) << 4);
    }
    const values = dequantizeGgml(12, bytes, 256);
    for (let e = 0; e < 256; e++) {
      const sub = e >> 5;
      expect(values[e]).toBeCloseTo(d * sc[sub]! * quant(e) - dmin * mins[sub]!, 6);
    }
  });

  it('Q6_K: 6-bit quants split over ql and qh, sixteen int8 scales, x = d sc (q - 32)', () => {
    const bytes = new Uint8Array(210);
    const d = 0.125;
    half(bytes, 208, d);
    const quant = (e: number): number => (e * 5 + 1) % 64;
    const scale = (s: number): number => s * 3 - 20;
    for (let s = 0; s < 16; s++) bytes[192 + s] = scale(s) & 0xff;
    for (let e = 0; e < 256; e++) {
      const halfIndex = e >> 7;
      const within = e & 127;
      const k = within >> 5;
      const l = within & 31;
      const q = quant(e);
      const low = halfIndex * 64 + l + (k & 1) * 32;
      bytes[low]! |= k < 2 ? q & 0xf : (q & 0xf) << 4;
      bytes[128 + halfIndex * 32 + l]! |= (q >> 4) << (2 * k);
    }
    const values = dequantizeGgml(14, bytes, 256);
    for (let e = 0; e < 256; e++) expect(values[e]).toBe(d * scale(e >> 4) * (quant(e) - 32));
  });

  it('F32, F16 and BF16 little-endian values', () => {
    const f32 = new Uint8Array(Float32Array.from([1.5, -2.25]).buffer);
    expect([...dequantizeGgml(0, f32, 2)]).toEqual([1.5, -2.25]);
    const f16 = new Uint8Array(4);
    half(f16, 0, -0.375);
    half(f16, 2, 1024);
    expect([...dequantizeGgml(1, f16, 2)]).toEqual([-0.375, 1024]);
    // BF16 is the top half of a float32: 0x3fc0 is 1.5, 0xc110 is -9.
    expect([...dequantizeGgml(30, Uint8Array.from([0xc0, 0x3f, 0x10, 0xc1]), 2)]).toEqual([1.5, -9]);
  });

  it('sizes tensors by block and rejects unknown types, partial blocks and short data', () => {
    expect(ggmlTensorBytes(3, 64)).toBe(40);
    expect(ggmlTensorBytes(14, 512)).toBe(420);
    expect(ggmlTensorBytes(99, 4)).toBeUndefined();
    expect(() => dequantizeGgml(6, new Uint8Array(22), 32)).toThrow(/type code 6 cannot be dequantized; supported types are .*Q4_1 \(3\)/);
    expect(() => dequantizeGgml(8, new Uint8Array(34), 31)).toThrow(/do not fill whole 32-element blocks/);
    expect(() => dequantizeGgml(12, new Uint8Array(143), 256, { path: 'x.gguf', field: 'w' })).toThrow(DataFormatError);
  });
});

describe('readGgufTensor', () => {
  it('reads and dequantizes a tensor of a GGUF file by name', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'score-gguf-tensor-')), 'model.gguf');
    await writeGguf(file, {
      metadata: { 'general.architecture': 'llama' },
      tensors: [
        { name: 'a', shape: [3], type: 'F32', data: Float32Array.from([1, 2, 3]) },
        { name: 'b', shape: [2, 2], type: 'F16', data: Float32Array.from([0.5, -1, 4, 8]) },
      ],
    });
    const header = readGgufHeader(file);
    const b = readGgufTensor(file, header, 'b');
    expect(b.shape).toEqual([2, 2]);
    expect(b.storedType).toBe('F16');
    expect([...b.data]).toEqual([0.5, -1, 4, 8]);
    expect(() => readGgufTensor(file, header, 'c')).toThrow(InvalidOptionError);
  });
});
