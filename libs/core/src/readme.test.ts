import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from './index';

// Runs the README's example against the sources and checks each `console.log(...); // expected`.
describe('README example', () => {
  it('prints what its comments say', async () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected = code!
      .split('\n')
      .map((line) => /^console\.log\(.*\); \/\/ (.*)$/.exec(line)?.[1])
      .filter((value): value is string => value !== undefined);
    const body = code!
      .replace(/^import \{([^}]*)\} from '@score\/core';$/m, (_match, names: string) => `const {${names.replace(/type \w+,?/g, '')}} = library;`)
      .replace(/: Reranker/g, '')
      .replace(/\(_query, candidates, topK\)/, '(_query, candidates, topK)');
    const printed: string[] = [];
    const log = (value: unknown) => printed.push(typeof value === 'string' ? value : JSON.stringify(value));
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction('library', 'console', body)(library, { log });
    expect(expected.length).toBe(5);
    expect(printed).toEqual(expected);
  });
});
