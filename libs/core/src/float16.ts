// The one float16 codec of @score (GGUF tensors, safetensors F16, cached model states): IEEE 754
// binary16, round to nearest even.

const scratch = new DataView(new ArrayBuffer(4));

/** Converts a float32 value to IEEE 754 half precision bits (round to nearest even). */
export function float32ToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Infinity or NaN (keep a quiet NaN bit).
    return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const rounded = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const bump = remainder > halfway || (remainder === halfway && (rounded & 1) === 1) ? 1 : 0;
    return sign | (rounded + bump);
  }
  const rounded = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  const bump = remainder > 0x1000 || (remainder === 0x1000 && (rounded & 1) === 1) ? 1 : 0;
  return sign | (rounded + bump);
}

/** Converts IEEE 754 half precision bits to a number. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
