import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * tools/scripts/check-cycles.mjs (a step of `npm test`) follows every import of the monorepo's
 * TypeScript files and fails naming each import cycle; these check it on the tree and on planted cycles.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'tools', 'scripts', 'check-cycles.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
const dirs: string[] = [];

/** A tiny tree: libs/a (package @score/a with two files) and apps/b importing it. */
function plantTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-cycles-'));
  dirs.push(dir);
  const all: Record<string, string> = {
    'libs/a/package.json': JSON.stringify({ name: '@score/a', exports: { '.': { '@score/source': './src/index.ts' } } }),
    'libs/a/src/index.ts': "export { one } from './one';\n",
    'libs/a/src/one.ts': "export const one = 1;\n",
    'apps/b/src/main.ts': "import { one } from '@score/a';\nimport { two } from './two';\nconsole.log(one + two);\n",
    'apps/b/src/two.ts': 'export const two = 2;\n',
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('check-cycles', () => {
  it('finds no import cycle in the repository', () => {
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Number(/among (\d+) files/.exec(result.stdout)?.[1])).toBeGreaterThan(400);
  });

  it('passes a tree without cycles', () => {
    const result = run(plantTree({}));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('No import cycle among 4 files.');
  });

  it('fails on a planted cycle of relative imports and names its files in order', () => {
    const dir = plantTree({ 'apps/b/src/two.ts': "import type { Three } from './three';\nexport const two = 2;\nexport type Two = Three;\n", 'apps/b/src/three.ts': "import { two } from './two';\nexport type Three = number;\nexport const three = two + 1;\n" });
    const result = run(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import cycle: apps/b/src/three.ts -> apps/b/src/two.ts -> apps/b/src/three.ts');
    expect(result.stderr).toContain('1 import cycle(s) among 5 files');
  });

  it('follows @score/NAME imports through the package\'s "@score/source" export', () => {
    const dir = plantTree({ 'libs/a/src/one.ts': "import { two } from '../../../apps/b/src/two';\nexport const one = two - 1;\n", 'apps/b/src/two.ts': "import { one } from '@score/a';\nexport const two = one + 1;\n" });
    const result = run(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import cycle: apps/b/src/two.ts -> libs/a/src/index.ts -> libs/a/src/one.ts -> apps/b/src/two.ts');
  });

  it('rejects flags with a usage line', () => {
    const result = run('--fix');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: node tools/scripts/check-cycles.mjs [ROOT]');
  });
});
