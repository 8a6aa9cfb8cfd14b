import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readNeighboursFile, writeNeighboursFile } from './neighbours-file';

describe('neighbours files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-neighbours-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('round-trips, and reads the CRM stage format and the bare table', () => {
    const neighbours = new Map([
      ['u1', [{ userId: 'u2', score: 0.5 }]],
      ['u2', []],
    ]);
    writeNeighboursFile(path.join(dir, 'out.json'), neighbours);
    expect(readNeighboursFile(path.join(dir, 'out.json'))).toEqual(neighbours);
    const crm = write('crm.json', JSON.stringify({ model: 'sasrec', k: 1, metric: 'inner-product', neighbours: { a: [{ userId: 'b', score: 2 }] } }));
    expect(readNeighboursFile(crm)).toEqual(new Map([['a', [{ userId: 'b', score: 2 }]]]));
    const bare = write('bare.json', JSON.stringify({ a: [{ userId: 'c', score: 1 }] }));
    expect(readNeighboursFile(bare)).toEqual(new Map([['a', [{ userId: 'c', score: 1 }]]]));
  });

  it('names the file, user and entry of malformed input', () => {
    expect(() => readNeighboursFile(path.join(dir, 'missing.json'))).toThrow(ArtifactNotFoundError);
    expect(() => readNeighboursFile(write('bad.json', '{'))).toThrow(DataFormatError);
    expect(() => readNeighboursFile(write('list.json', '{"a": 3}'))).toThrow(/field "a": the neighbours of user "a" must be an array/);
    expect(() => readNeighboursFile(write('entry.json', '{"a": [{"userId": 1, "score": 1}]}'))).toThrow(
      `${path.join(dir, 'entry.json')}, field "a[0]": neighbour 0 of user "a" must be { "userId": string, "score": number }, got {"userId":1,"score":1}.`,
    );
  });
});
