import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Runs every example program the way a reader would (`tsx` with the workspace's source condition,
 * one process each) and checks its output: each `console.log(...); // expected` line in the file
 * must be printed, in order, exactly as its comment says, and the program must exit with 0.
 */
const sourceDir = import.meta.dirname;
const files = fs.readdirSync(sourceDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).sort();

/** The `// expected` comments of a program's `console.log(...)` lines, in order. */
export function expectedLines(code: string): string[] {
  return [...code.matchAll(/^\s*console\.log\(.*\); \/\/ (.*)$/gm)].map((match) => match[1]);
}

describe('examples', () => {
  it('has one program per library and the end-to-end ones', () => {
    expect(files).toEqual(expect.arrayContaining(['metrics-csv.ts', 'prompt-kit-prompts.ts', 'serve-client.ts', 'custom-pipeline-mf.ts']));
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s runs and prints what its comments say', (file) => {
    const code = fs.readFileSync(path.join(sourceDir, file), 'utf8');
    expect(code.startsWith('// '), `${file} starts with a header comment`).toBe(true);
    const expected = expectedLines(code);
    expect(expected.length, `${file} has at least one checked console.log line`).toBeGreaterThan(0);
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--conditions=@score/source', '--import', 'tsx', path.join(sourceDir, file)], {
      encoding: 'utf8',
      timeout: 110_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.status, `${file} exited with ${result.status}\n${result.stderr}`).toBe(0);
    const printed = result.stdout.split('\n');
    let at = 0;
    for (const line of expected) {
      const found = printed.indexOf(line, at);
      expect(found, `${file} should print ${JSON.stringify(line)} (after line ${at}); printed:\n${result.stdout}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    console.log(`${file}: ${seconds.toFixed(1)} s`);
  });
});
