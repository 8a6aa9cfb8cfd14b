import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as library from './index';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

let run: TestRun;
beforeAll(async () => {
  run = await createTestRun();
});
afterAll(() => run?.remove());

/**
 * Runs the README's TypeScript example against this package's sources (imports removed, the
 * package's exports in scope) on a test run folder and the tiny llama.cpp model, and checks every
 * `console.log(...); // expected` line.
 */
describe('README example', () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

  it('has one example, which prints what its comments say', async () => {
    expect(blocks).toHaveLength(1);
    const code = blocks[0];
    const expected = [...code.matchAll(/^console\.log\(.*\); \/\/ (.*)$/gm)].map((match) => match[1]);
    const printed: string[] = [];
    const log = (value: unknown) => printed.push(String(value));
    const scope = { ...library, console: { log }, runDir: run.runDir, llm: run.llm };
    await new AsyncFunction(...Object.keys(scope), code.replace(/^import .*$/gm, ''))(...Object.values(scope));
    expect(expected).toHaveLength(4);
    expect(printed).toEqual(expected);
  });
});
