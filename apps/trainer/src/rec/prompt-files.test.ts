import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { PromptRecord } from '@score/prompt-kit';
import { promptFilePath, readPromptFile, writePromptFile } from './prompt-files';

const records: PromptRecord[] = [
  { rowIndex: 4, userId: 'u1', itemId: 'i9', label: 1, prompt: 'The user has highly rated "A \\"quoted\\" title"\nsecond line.', similarUsers: [{ userId: 'u7', score: 0.75 }, { userId: 'u3', score: -0.125 }] },
  { rowIndex: 5, userId: 'u1', itemId: 'i2', label: 0, prompt: 'Prompt ü ✓', similarUsers: [] },
];

describe('prompt files', () => {
  let dir: string | undefined;
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('names files by variant, K_e, K_s and split', () => {
    expect(promptFilePath('/run/rec', { variant: 'score', retrieved: 15, kept: 2 }, 'valid')).toBe(path.join('/run/rec', 'prompts', 'score-k15-s2', 'valid.jsonl'));
    expect(promptFilePath('/run/rec', { variant: 'basic' }, 'test')).toBe(path.join('/run/rec', 'prompts', 'basic', 'test.jsonl'));
  });

  it('round-trips records as JSON lines, leaving no temporary file', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-prompt-files-'));
    const file = promptFilePath(dir, { variant: 'car', retrieved: 5, kept: 2 }, 'train');
    await writePromptFile(file, records);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['train.jsonl']);
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
    expect(await readPromptFile(file)).toEqual(records);
    await writePromptFile(file, []);
    expect(await readPromptFile(file)).toEqual([]);
  });

  it('reports the line and field of a malformed record, and a missing file', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-prompt-files-'));
    const file = path.join(dir, 'bad.jsonl');
    const good = JSON.stringify(records[0]);
    fs.writeFileSync(file, `${good}\n\n${JSON.stringify({ ...records[1], label: 2 })}\n`);
    const error = await readPromptFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ line: 3, field: 'label' });
    fs.writeFileSync(file, `${good}\n{not json\n`);
    await expect(readPromptFile(file)).rejects.toMatchObject({ line: 2 });
    fs.writeFileSync(file, `${JSON.stringify({ ...records[0], similarUsers: [{ userId: 'u2' }] })}\n`);
    await expect(readPromptFile(file)).rejects.toMatchObject({ field: 'similarUsers[0]' });
    await expect(readPromptFile(path.join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
});
