import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { readRankingsFile } from './rankings-file';
import { makeTempDir } from './test-fixtures/synthetic-rankings';

describe('readRankingsFile', () => {
  it('turns each record into an example ordered by O, keeping the retrieval order', async () => {
    const file = path.join(makeTempDir(), 'rankings.jsonl');
    const record = {
      id: 'u1:i1@5',
      query: 'P^b',
      candidates: [
        { userId: 'a', behaviour: 'A', retrievalScore: 3, assessmentScore: 0.1 },
        { userId: 'b', behaviour: 'B', retrievalScore: 2, assessmentScore: 0.9 },
      ],
      order: ['b', 'a'],
    };
    fs.writeFileSync(file, `${JSON.stringify(record)}\n\n`);
    expect(await readRankingsFile(file)).toEqual([
      { id: 'u1:i1@5', query: 'P^b', candidates: [{ id: 'b', text: 'B' }, { id: 'a', text: 'A' }], retrievalOrder: ['a', 'b'] },
    ]);
    fs.writeFileSync(file, `${JSON.stringify(record)}\n${JSON.stringify({ ...record, order: ['b', 'c'] })}\n`);
    await expect(readRankingsFile(file)).rejects.toThrow(DataFormatError);
    await expect(readRankingsFile(file)).rejects.toThrow(/rankings\.jsonl, line 2, field "order"/);
    await expect(readRankingsFile(path.join(makeTempDir(), 'missing.jsonl'))).rejects.toThrow(ArtifactNotFoundError);
  });
});
