import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from './index';
import { createTinyDataset, hashEmbed } from './test-fixtures/tiny-dataset';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

/**
 * Runs each TypeScript example of the README against this package's sources (imports replaced
 * by the modules themselves) and checks every `console.log(...); // expected` line.
 */
describe('README examples', () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

  it.each(blocks.map((code, i) => [i, code] as const))('example %i prints what its comments say', async (_, code) => {
    const expected: string[] = [];
    for (const line of code.split('\n')) {
      const match = /^console\.log\(.*\); \/\/ (.*)$/.exec(line);
      if (match) expected.push(match[1]);
    }
    const body = code.replace(/^import .*$/gm, '');
    const printed: string[] = [];
    const log = (value: unknown) => printed.push(typeof value === 'string' ? value : JSON.stringify(value));
    const dataset = createTinyDataset({
      items: ['a', 'b', 'c', 'd'],
      interactions: [
        { userId: 'u1', itemId: 'a', timestamp: 1, label: 1 },
        { userId: 'u2', itemId: 'a', timestamp: 2, label: 1 },
        { userId: 'u2', itemId: 'b', timestamp: 3, label: 1 },
        { userId: 'u3', itemId: 'c', timestamp: 4, label: 1 },
        { userId: 'u1', itemId: 'b', timestamp: 12, label: 1 },
        { userId: 'u1', itemId: 'd', timestamp: 22, label: 0 },
      ],
      validStart: 10,
      testStart: 20,
    });
    const encoder = { dimensions: 32, embed: async (texts: readonly string[]) => hashEmbed(texts) };
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-readme-run-'));
    const scope = { ...library, fs, os, path, console: { log }, dataset, encoder, runDir };
    try {
      await new AsyncFunction(...Object.keys(scope), body)(...Object.values(scope));
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  });

  it('has both examples', () => {
    expect(blocks).toHaveLength(2);
  });
});
