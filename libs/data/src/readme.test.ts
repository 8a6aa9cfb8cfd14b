import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-readme-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('runs the README example', async () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const source = example!.replace("from '@score/data'", `from ${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, 'index.ts')).href)}`);
  const file = path.join(root, 'example.ts');
  fs.writeFileSync(file, source);
  const printed: unknown[] = [];
  const original = console.log;
  console.log = (...values: unknown[]) => printed.push(values.join(' '));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = original;
  }
  expect(String(printed[0])).toContain('Dataset');
  expect(String(printed[1])).toMatch(/label [01], history [1-9]\d* \(last: (?!undefined\))[^)]+\)/);
  expect(printed).toHaveLength(3);
});
