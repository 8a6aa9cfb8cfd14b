import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * READMEs and docs pages show the example programs through `<!-- example: FILE -->` blocks that
 * tools/scripts/docs-sync.mjs keeps identical to the files CI runs; this fails when one differs,
 * or when a README or docs page has a TypeScript block that is not such a block.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'tools', 'scripts', 'docs-sync.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });

describe('docs-sync', () => {
  it('every example block in the READMEs and docs pages matches its file (else: npm run docs:sync)', () => {
    const result = run('--check');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const blocks = Number(/(\d+) example block/.exec(result.stdout)?.[1]);
    expect(blocks).toBeGreaterThanOrEqual(28);
  });

  it('names a stale block with its line, and rewrites it from the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-sync-'));
    const readme = path.join(dir, 'README.md');
    fs.writeFileSync(readme, '# Title\n\n<!-- example: examples/src/metrics-csv.ts -->\n```ts\nconsole.log(1);\n```\n<!-- /example -->\n');
    const stale = run('--check', readme);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('README.md:3: the block differs from examples/src/metrics-csv.ts');
    expect(run(readme).status).toBe(0);
    const code = fs.readFileSync(path.join(import.meta.dirname, 'metrics-csv.ts'), 'utf8').trimEnd();
    expect(fs.readFileSync(readme, 'utf8')).toBe(`# Title\n\n<!-- example: examples/src/metrics-csv.ts -->\n\`\`\`ts\n${code}\n\`\`\`\n<!-- /example -->\n`);
    expect(run('--check', readme).status).toBe(0);
    fs.writeFileSync(readme, '<!-- example: examples/src/missing.ts -->\n```ts\n```\n<!-- /example -->\n');
    const missing = run('--check', readme);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('README.md:1: the example examples/src/missing.ts does not exist');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails on a TypeScript or JavaScript block outside an example marker, naming its line; shell blocks and marked blocks pass', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-sync-'));
    const readme = path.join(dir, 'README.md');
    const marked = `<!-- example: examples/src/metrics-csv.ts -->\n\`\`\`ts\n${fs.readFileSync(path.join(import.meta.dirname, 'metrics-csv.ts'), 'utf8').trimEnd()}\n\`\`\`\n<!-- /example -->\n`;
    fs.writeFileSync(readme, `# Title\n\n\`\`\`sh\nnpm install @score/metrics\n\`\`\`\n\n${marked}\n\`\`\`json\n{}\n\`\`\`\n`);
    expect(run('--check', readme).status).toBe(0);
    for (const fence of ['```ts', '```typescript', '~~~ts', '```js']) {
      fs.writeFileSync(readme, `# Title\n\n${marked}\nText.\n\n${fence}\nconst x = 1;\n${fence.slice(0, 3)}\n`);
      const result = run('--check', readme);
      expect(result.status, fence).toBe(1);
      const line = marked.split('\n').length + 5; // the title, a blank line, the marked block, a blank line, the text, a blank line
      expect(result.stderr).toContain(`README.md:${line}: a TypeScript or JavaScript block outside an example marker`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
