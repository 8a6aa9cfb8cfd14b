import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as data from '@score/data';
import * as textEncoders from '@score/text-encoders';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as library from './index';

/**
 * Runs the README's first TypeScript example (types stripped by the TypeScript compiler) against this package's
 * sources and checks every `console.log(...); // expected` line.
 */
describe('README example', () => {
  it('prints what its comments say', async () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected = code!.split('\n').flatMap((line) => /^console\.log\(.*\); \/\/ (.*)$/.exec(line)?.[1] ?? []);
    const modules: Record<string, unknown> = { '@score/self-assess': library, '@score/data': data, '@score/text-encoders': textEncoders, 'node:fs': fs, 'node:os': os, 'node:path': path };
    const imports = code!.replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_, names: string, from: string) => `const {${names}} = modules[${JSON.stringify(from)}];`);
    const body = ts.transpileModule(imports, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const printed: string[] = [];
    const log = (...values: unknown[]) => printed.push(values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(' '));
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction('modules', 'console', body)(modules, { log });
    expect(expected).toHaveLength(3);
    expect(printed).toEqual(expected);
  });
});
