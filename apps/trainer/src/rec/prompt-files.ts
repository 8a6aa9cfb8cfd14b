import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ArtifactNotFoundError, DataFormatError, type SplitName, writeLinesAtomic } from '@score/core';
import { type PromptRecord, promptSetName, type PromptSetSpec, type SimilarUser } from '@score/prompt-kit';

/** Folder of the prompt sets inside the rec stage's output folder. */
export const PROMPTS_FOLDER = 'prompts';

/** `<outputDir>/prompts/<name>/<split>.jsonl`, e.g. `prompts/score-k10-s2/test.jsonl`. */
export function promptFilePath(outputDir: string, spec: PromptSetSpec, split: SplitName): string {
  return path.join(outputDir, PROMPTS_FOLDER, promptSetName(spec), `${split}.jsonl`);
}

/**
 * Writes a prompt set as JSON lines, one {@link PromptRecord} a line (keys rowIndex, userId,
 * itemId, label, prompt, similarUsers), creating the folder; the file is written under a temporary
 * name in the same folder, then renamed into place.
 */
export async function writePromptFile(file: string, records: readonly PromptRecord[]): Promise<void> {
  await writeLinesAtomic(
    file,
    records.map((record) =>
      JSON.stringify({
        rowIndex: record.rowIndex,
        userId: record.userId,
        itemId: record.itemId,
        label: record.label,
        prompt: record.prompt,
        similarUsers: record.similarUsers.map((user) => ({ userId: user.userId, score: user.score })),
      }),
    ),
  );
}

function checkRecord(value: unknown, file: string, line: number): PromptRecord {
  const fail = (field: string, what: string): never => {
    throw new DataFormatError(`must be ${what}.`, { path: file, line, field });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('record', 'a JSON object with rowIndex, userId, itemId, label, prompt and similarUsers');
  const record = value as Record<string, unknown>;
  if (!Number.isInteger(record.rowIndex) || (record.rowIndex as number) < 0) fail('rowIndex', 'an integer >= 0');
  if (typeof record.userId !== 'string') fail('userId', 'a string');
  if (typeof record.itemId !== 'string') fail('itemId', 'a string');
  if (record.label !== 0 && record.label !== 1) fail('label', '0 or 1');
  if (typeof record.prompt !== 'string' || record.prompt === '') fail('prompt', 'a non-empty string');
  if (!Array.isArray(record.similarUsers)) fail('similarUsers', 'an array of { userId, score }');
  const similarUsers = (record.similarUsers as unknown[]).map((user, i): SimilarUser => {
    const entry = user as Record<string, unknown> | null;
    if (entry === null || typeof entry !== 'object' || typeof entry.userId !== 'string' || typeof entry.score !== 'number') {
      return fail(`similarUsers[${i}]`, 'an object { userId: string, score: number }');
    }
    return { userId: entry.userId, score: entry.score };
  });
  return {
    rowIndex: record.rowIndex as number,
    userId: record.userId as string,
    itemId: record.itemId as string,
    label: record.label as 0 | 1,
    prompt: record.prompt as string,
    similarUsers,
  };
}

/**
 * Reads a prompt set written by {@link writePromptFile} (blank lines are skipped).
 * @throws ArtifactNotFoundError when the file is missing; DataFormatError naming the line and
 *   field of a malformed record.
 */
export async function readPromptFile(file: string): Promise<PromptRecord[]> {
  if (!fs.existsSync(file)) throw new ArtifactNotFoundError(file, 'A prompt set', 'rec');
  const records: PromptRecord[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new DataFormatError('is not valid JSON.', { path: file, line: number, cause });
    }
    records.push(checkRecord(value, file, number));
  }
  return records;
}
