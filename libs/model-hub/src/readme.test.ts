import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from './index';

/**
 * Runs the README's TypeScript example against this package's sources and checks every
 * `console.log(...); // expected` line (strings compare as is, other values as JSON).
 */
describe('README example', () => {
  it('prints what its comments say', () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected: string[] = [];
    for (const line of code!.split('\n')) {
      const match = /^console\.log\(.*\); \/\/ (.*)$/.exec(line);
      if (match) expected.push(match[1]);
    }
    const body = code!.replace(/^import \{([^}]*)\} from '@score\/model-hub';$/m, 'const {$1} = library;');
    const printed: string[] = [];
    const log = (value: unknown) => printed.push(typeof value === 'string' ? value : JSON.stringify(value));
    new Function('library', 'console', body)(library, { log });
    expect(expected.length).toBeGreaterThan(3);
    expect(printed).toEqual(expected);
  });
});
