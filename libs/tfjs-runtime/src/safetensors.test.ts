import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { openSafetensorsCheckpoint, readSafetensors, SafetensorsFile, writeSafetensors } from './safetensors';

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-safetensors-'));
}

describe('safetensors', () => {
  it('writes a file in the documented byte layout and reads it back', () => {
    const dir = tempDir();
    const file = path.join(dir, 'model.safetensors');
    writeSafetensors(file, [
      { name: 'a', shape: [2, 2], data: Float32Array.from([1, -2.5, 3, 4]) },
      { name: 'b', shape: [3], data: Int32Array.from([7, -8, 9]) },
      { name: 'h', shape: [2], data: Float32Array.from([0.5, -65504]), dtype: 'F16' },
    ], { format: 'pt' });
    const bytes = fs.readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
    expect(header.b).toEqual({ dtype: 'I32', shape: [3], data_offsets: [16, 28] });
    expect(header.h).toEqual({ dtype: 'F16', shape: [2], data_offsets: [28, 32] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(bytes.readFloatLE(8 + headerLength + 4)).toBe(-2.5);
    // 0.5 in IEEE half precision is 0x3800.
    expect(bytes.readUInt16LE(8 + headerLength + 28)).toBe(0x3800);

    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Array.from(tensors.get('a')!.data)).toEqual([1, -2.5, 3, 4]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([7, -8, 9]);
    expect(Array.from(tensors.get('h')!.data)).toEqual([0.5, -65504]);
  });

  it('reads BF16 and I64 written by other tools', () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.safetensors');
    const header = JSON.stringify({ w: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] }, ids: { dtype: 'I64', shape: [1], data_offsets: [4, 12] } });
    const headerBytes = Buffer.from(header);
    const data = Buffer.alloc(12);
    data.writeUInt16LE(0x3f80, 0); // 1.0 in bfloat16
    data.writeUInt16LE(0xc000, 2); // -2.0
    data.writeBigInt64LE(123n, 4);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(headerBytes.length));
    fs.writeFileSync(file, Buffer.concat([length, headerBytes, data]));
    const { tensors } = readSafetensors(file);
    expect(Array.from(tensors.get('w')!.data)).toEqual([1, -2]);
    expect(Array.from(tensors.get('ids')!.data)).toEqual([123]);
  });

  it('opens sharded checkpoints through the index', () => {
    const dir = tempDir();
    writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), [{ name: 'x', shape: [1], data: Float32Array.from([1]) }]);
    writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), [{ name: 'y', shape: [1], data: Float32Array.from([2]) }]);
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { x: 'model-00001-of-00002.safetensors', y: 'model-00002-of-00002.safetensors' } }));
    const checkpoint = openSafetensorsCheckpoint(dir);
    expect(checkpoint.names.sort()).toEqual(['x', 'y']);
    expect(Array.from(checkpoint.read('y').data)).toEqual([2]);
    checkpoint.close();
  });

  it('rejects files that are not safetensors with the path in the error', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.safetensors');
    fs.writeFileSync(file, 'this is not a safetensors file at all');
    expect(() => SafetensorsFile.open(file)).toThrow(DataFormatError);
    expect(() => SafetensorsFile.open(file)).toThrow(/bad\.safetensors: header length \d+ does not fit/);
    expect(() => openSafetensorsCheckpoint(dir)).toThrow(/model\.safetensors or model\.safetensors\.index\.json\) not found/);
  });
});
