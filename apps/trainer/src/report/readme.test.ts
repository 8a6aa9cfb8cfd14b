import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as report from './index';

// Runs the README's example against the sources and checks each `console.log(...); // expected`.
describe('README example', () => {
  it('prints what its comments say', async () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected = code!
      .split('\n')
      .map((line) => /^console\.log\(.*\); \/\/ (.*)$/.exec(line)?.[1])
      .filter((value): value is string => value !== undefined);
    const modules: Record<string, unknown> = { fs, os: await import('node:os'), path };
    const body = code!
      .replace(/^import (\w+) from 'node:(\w+)';$/gm, (_match, name: string, module: string) => `const ${name} = modules.${module};`)
      .replace(/^import \{([^}]*)\} from '\.\/index';$/m, (_match, names: string) => `const {${names}} = report;`);
    const printed: string[] = [];
    const log = (value: unknown) => printed.push(String(value));
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<report.EvaluationMetrics>;
    const metrics = await new AsyncFunction('report', 'modules', 'console', `${body}\nreturn metrics;`)(report, modules, { log });
    expect(expected).toHaveLength(3);
    expect(printed).toEqual(expected);
    // The terminal table shown under the example is the real output for the example's metrics.
    const table = /The terminal table[^\n]*\n\n```\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(table).toBe(report.renderResultsTable(metrics));
  });
});
