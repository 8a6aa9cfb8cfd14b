import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';

describe('float16 codec', () => {
  it('encodes known values, rounds to nearest even and decodes every bit pattern back to itself', () => {
    expect([1, -2, 0.5, 65504, 2 ** -24].map(float32ToFloat16Bits)).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001]);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7e00).toBe(0x7e00);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToFloat32(bits);
      if (Number.isNaN(value)) expect((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0).toBe(true);
      else expect(float32ToFloat16Bits(value)).toBe(bits);
    }
  });
});
