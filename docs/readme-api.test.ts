import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiSection, checkLibrary, exportedNames, libraryDirs, listedNames } from './readme-api';

/**
 * Each library's README ends with "## API", whose "| Export | ... |" tables list exactly the
 * names its package.json entries export (src/index.ts, and src/testing.ts for a `./testing`
 * subpath): a new export without a README line, or a README line for a removed export, fails.
 */
describe('README API sections', () => {
  it.each(libraryDirs().map((dir) => path.basename(dir)))('libs/%s lists exactly its exports', (name) => {
    const dir = libraryDirs().find((candidate) => path.basename(candidate) === name)!;
    expect(checkLibrary(dir)).toEqual([]);
  });

  it('finds every library', () => {
    expect(libraryDirs().map((dir) => path.basename(dir))).toEqual(expect.arrayContaining(['core', 'data', 'llm-clients', 'metrics', 'rec-lm']));
  });
});

describe('the README API check', () => {
  /** A throwaway package with a main entry and a `./testing` subpath. */
  function makePackage(readme: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-readme-api-'));
    fs.mkdirSync(path.join(dir, 'src'));
    const entry = (file: string) => ({ '@score/source': file, default: file.replace('src', 'dist').replace('.ts', '.js') });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@score/x', exports: { '.': entry('./src/index.ts'), './testing': entry('./src/testing.ts'), './package.json': './package.json' } }));
    fs.writeFileSync(path.join(dir, 'src', 'index.ts'), "export { alpha, beta } from './a';\nexport type { Gamma } from './a';\n");
    fs.writeFileSync(path.join(dir, 'src', 'testing.ts'), "export { fixture } from './f';\n");
    fs.writeFileSync(path.join(dir, 'README.md'), readme);
    return dir;
  }
  const table = (rows: string[]) => `| Export | What it is for |\n| --- | --- |\n${rows.join('\n')}\n`;

  it('reads the names of the first column of Export tables only', () => {
    const section = `## API\n\n${table(['| `alpha(options)` / `beta` | One. |'])}\n| Option | Default |\n| --- | --- |\n| \`seed\` | 0 |\n`;
    expect(listedNames(section)).toEqual(['alpha', 'beta']);
    expect(apiSection(`# x\n\n## API\n\ntext\n\n## Benchmark\n`)).toBeUndefined();
    expect(apiSection(`# x\n\n## Example\n\n## API\n\ntext\n`)).toBe('## API\n\ntext\n');
  });

  it('accepts a complete section, including the testing subpath', () => {
    const dir = makePackage(`# x\n\n## API\n\n${table(['| `alpha` | A. |', '| `beta` | B. |', '| `Gamma` | C. |', '| `fixture` | F. |'])}`);
    expect(exportedNames(path.join(dir, 'src', 'index.ts'))).toEqual(['alpha', 'beta', 'Gamma']);
    expect(checkLibrary(dir)).toEqual([]);
  });

  it('names a missing export, a stale line and a misplaced section', () => {
    const dir = makePackage(`# x\n\n## API\n\n${table(['| `alpha` | A. |', '| `Gamma` | C. |', '| `fixture` | F. |', '| `delta` | Gone. |'])}`);
    const problems = checkLibrary(dir);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/does not list `beta` \(exported by "\."\)/);
    expect(problems[1]).toMatch(/lists `delta`, which the package does not export/);
    fs.writeFileSync(path.join(dir, 'README.md'), `# x\n\n## API\n\n${table(['| `alpha` | A. |'])}\n## Benchmark\n`);
    expect(checkLibrary(dir)).toEqual([expect.stringMatching(/the last "## " section must be "## API"/)]);
  });

  it('rejects an entry that is not made of named re-exports', () => {
    const dir = makePackage('# x\n\n## API\n');
    fs.writeFileSync(path.join(dir, 'src', 'index.ts'), "export * from './a';\n");
    expect(() => checkLibrary(dir)).toThrow(/index\.ts:1: an entry file may only hold named re-exports/);
  });
});
