import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '@score/core';
import { readGgufHeader } from './read-gguf-header';
import { inferGgufType, writeGguf } from './write-gguf';

function temporaryDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-gguf-'));
}

describe('writeGguf and readGgufHeader', () => {
  it('round-trips metadata of every type and aligned tensor data', async () => {
    const file = path.join(temporaryDirectory(), 'model.gguf');
    const weights = Float32Array.from([1, -2, 3.5, 0.25, -0.125, 6]);
    await writeGguf(file, {
      metadata: {
        'general.architecture': 'llama',
        'test.count': 7,
        'test.negative': -3,
        'test.ratio': 0.5,
        'test.flag': true,
        'test.big': 2n ** 40n,
        'test.tokens': ['a', 'b', 'ü'],
        'test.scores': { type: 'array', itemType: 'float32', values: [0.5, -1] },
        'test.types': { type: 'array', itemType: 'int32', values: [1, -6] },
        'test.small': { type: 'uint8', value: 200 },
        'test.double': { type: 'float64', value: 0.1 },
      },
      tensors: [
        { name: 'a.weight', shape: [3, 2], type: 'F32', data: weights },
        { name: 'b.weight', shape: [3], type: 'F16', data: Float32Array.from([1, 0.5, -2]) },
      ],
    });
    const header = readGgufHeader(file);
    expect(header.version).toBe(3);
    expect(header.alignment).toBe(32);
    expect(header.metadata).toEqual({
      'general.architecture': 'llama',
      'test.count': 7,
      'test.negative': -3,
      'test.ratio': 0.5,
      'test.flag': true,
      'test.big': 2n ** 40n,
      'test.tokens': ['a', 'b', 'ü'],
      'test.scores': [0.5, -1],
      'test.types': [1, -6],
      'test.small': 200,
      'test.double': 0.1,
    });
    expect(header.tensors).toEqual([
      { name: 'a.weight', shape: [3, 2], typeCode: 0, offset: 0 },
      { name: 'b.weight', shape: [3], typeCode: 1, offset: 32 },
    ]);
    expect(header.dataOffset % 32).toBe(0);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('GGUF');
    const stored = new Float32Array(bytes.buffer.slice(bytes.byteOffset + header.dataOffset, bytes.byteOffset + header.dataOffset + 24));
    expect(Array.from(stored)).toEqual(Array.from(weights));
    const half = bytes.subarray(header.dataOffset + 32, header.dataOffset + 38);
    expect([0, 2, 4].map((at) => float16BitsToFloat32(half.readUInt16LE(at)))).toEqual([1, 0.5, -2]);
    expect(bytes.length).toBe(header.dataOffset + 64);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['model.gguf']);
  });

  it('writes general.alignment when it is not 32', async () => {
    const file = path.join(temporaryDirectory(), 'aligned.gguf');
    await writeGguf(file, { metadata: {}, tensors: [{ name: 't', shape: [1], type: 'F32', data: Float32Array.of(1) }, { name: 'u', shape: [1], type: 'F32', data: Float32Array.of(2) }], alignment: 64 });
    const header = readGgufHeader(file);
    expect(header.alignment).toBe(64);
    expect(header.metadata['general.alignment']).toBe(64);
    expect(header.tensors[1].offset).toBe(64);
  });

  it('types plain values by a documented rule', () => {
    expect([inferGgufType('x'), inferGgufType(true), inferGgufType(3), inferGgufType(-3), inferGgufType(1.5), inferGgufType(5n), inferGgufType(-5n)]).toEqual([
      'string', 'bool', 'uint32', 'int32', 'float32', 'uint64', 'int64',
    ]);
  });

  it('rejects bad tensors, naming the field', async () => {
    const file = path.join(temporaryDirectory(), 'bad.gguf');
    const attempt = (tensor: Record<string, unknown>) => writeGguf(file, { metadata: {}, tensors: [{ name: 't', shape: [2], type: 'F32', data: new Float32Array(2), ...tensor } as never] });
    await expect(attempt({ data: new Float32Array(3) })).rejects.toMatchObject({ field: 'tensors[0].data' });
    await expect(attempt({ shape: [0] })).rejects.toMatchObject({ field: 'tensors[0].shape' });
    await expect(attempt({ type: 'Q4_0' })).rejects.toMatchObject({ field: 'tensors[0].type' });
    await expect(writeGguf(file, { metadata: { x: Number.NaN }, tensors: [] })).rejects.toBeInstanceOf(InvalidOptionError);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('readGgufHeader on corrupt files', () => {
  it('names the file and the field', async () => {
    const dir = temporaryDirectory();
    const text = path.join(dir, 'text.gguf');
    fs.writeFileSync(text, 'hello world, this is not a model at all');
    expect(() => readGgufHeader(text)).toThrow(DataFormatError);
    expect(() => readGgufHeader(text)).toThrow(`${text}, field "magic": the file starts with "hell" instead of "GGUF"; it is not a GGUF model file.`);
    const tiny = path.join(dir, 'tiny.gguf');
    fs.writeFileSync(tiny, 'GGUF');
    expect(() => readGgufHeader(tiny)).toThrow(/has 4 bytes, fewer than a GGUF header/);

    const good = path.join(dir, 'good.gguf');
    await writeGguf(good, { metadata: { 'general.name': 'x' }, tensors: [{ name: 't', shape: [8], type: 'F32', data: new Float32Array(8) }] });
    const bytes = fs.readFileSync(good);
    const huge = Buffer.from(bytes);
    huge.writeBigUInt64LE(10n ** 9n, 8);
    fs.writeFileSync(path.join(dir, 'huge.gguf'), huge);
    expect(() => readGgufHeader(path.join(dir, 'huge.gguf'))).toThrow(/announces 1000000000 tensors/);
    const badType = Buffer.from(bytes);
    // The first key is "general.name" (8-byte length + 12 bytes) after the 24-byte header.
    badType.writeUInt32LE(99, 24 + 8 + 12);
    fs.writeFileSync(path.join(dir, 'type.gguf'), badType);
    expect(() => readGgufHeader(path.join(dir, 'type.gguf'))).toThrow('field "general.name": value type code 99 is not a GGUF type (valid codes are 0 to 12).');
  });
});

describe('float16', () => {
  it('converts exactly representable values and rounds the rest', () => {
    for (const value of [0, 1, -1, 0.5, 65504, -2.5, 2 ** -24]) expect(float16BitsToFloat32(float32ToFloat16Bits(value))).toBe(value);
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float16BitsToFloat32(float32ToFloat16Bits(0.1))).toBeCloseTo(0.1, 3);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN)))).toBe(true);
  });
});
