import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ArtifactNotFoundError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readParsedLines } from './line-reader';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-io-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function lines(file: string, signal?: AbortSignal): Promise<[number, string][]> {
  const out: [number, string][] = [];
  const parse = (buffer: Buffer, start: number, end: number, line: number): [number, string] => [line, buffer.toString('utf8', start, end)];
  for await (const batch of readParsedLines(file, parse, { what: 'Test file', signal })) out.push(...batch);
  return out;
}

describe('readParsedLines', () => {
  it('splits LF and CRLF lines, drops a BOM, skips empty lines and keeps a last line without a break', async () => {
    const file = path.join(root, 'mixed.txt');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('first\r\nsecond\n\nfourth')]));
    expect(await lines(file)).toEqual([
      [1, 'first'],
      [2, 'second'],
      [4, 'fourth'],
    ]);
  });

  it('reads gzip files and lines across chunk boundaries', async () => {
    const text = Array.from({ length: 60_000 }, (_, i) => `line-${i}-${'x'.repeat(i % 50)}`).join('\n');
    const file = path.join(root, 'big.txt.gz');
    fs.writeFileSync(file, zlib.gzipSync(text));
    const read = await lines(file);
    expect(read).toHaveLength(60_000);
    expect(read[59_999]).toEqual([60_000, `line-59999-${'x'.repeat(59_999 % 50)}`]);
    expect(read.every(([line, value]) => value.startsWith(`line-${line - 1}-`))).toBe(true);
  });

  it('passes empty lines on request and stops when aborted', async () => {
    const file = path.join(root, 'empty-lines.txt');
    fs.writeFileSync(file, 'a\n\nb\n');
    const seen: number[] = [];
    for await (const batch of readParsedLines(file, (_b, _s, _e, line) => line, { what: 'Test file', keepEmptyLines: true })) seen.push(...batch);
    expect(seen).toEqual([1, 2, 3]);
    const controller = new AbortController();
    controller.abort();
    await expect(lines(file, controller.signal)).rejects.toThrow(/abort/i);
  });

  it('throws ArtifactNotFoundError for a missing file', async () => {
    await expect(lines(path.join(root, 'absent.txt'))).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
});
