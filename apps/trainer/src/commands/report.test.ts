import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvaluationMetrics, renderResultsMarkdown, renderResultsTable, writeReport } from '../report';
import { reportFixture } from '../report/report-fixture';
import { runCli, tempDir } from '../test-helpers';
import { markedBlock, replaceMarkedBlock } from './report';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const DEMO_METRICS = path.join(ROOT, 'docs', 'results', 'demo-metrics.json');
const DEMO_PRETRAINED_METRICS = path.join(ROOT, 'docs', 'results', 'demo-pretrained-metrics.json');

describe('score-train report', () => {
  it("the README's demo table is the rendering of the committed demo metrics", async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = markedBlock(readme);
    expect(block).toBeDefined();
    const metrics = await readEvaluationMetrics(DEMO_METRICS);
    expect(block).toBe(renderResultsMarkdown(metrics).trimEnd());
    // What the table states: the rows scored of the split and the seed.
    expect(block).toContain(`Scored: ${metrics.rows.toLocaleString('en-US')} of ${metrics.splitRows!.toLocaleString('en-US')} test rows`);
    expect(block).toMatch(/Seeds?: 42/);
  });

  it("the README's pretrained demo table is the rendering of the committed pretrained demo metrics", async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = markedBlock(readme, 'demo-pretrained-table');
    expect(block).toBeDefined();
    const metrics = await readEvaluationMetrics(DEMO_PRETRAINED_METRICS);
    expect(block).toBe(renderResultsMarkdown(metrics).trimEnd());
    expect(block).toContain(`Scored: ${metrics.rows.toLocaleString('en-US')} of ${metrics.splitRows!.toLocaleString('en-US')} test rows`);
    // The zero-shot rows of the untuned SmolLM2 stand beside the tuned ones.
    expect(block).toMatch(/Zero-shot .*P\^b/);
  });

  it('prints the table of a run folder, a metrics file, in text or Markdown, and rewrites a marked block', async () => {
    const run = tempDir();
    await writeReport(path.join(run, 'eval'), reportFixture());
    const text = await runCli(['report', run]);
    expect(text.stdout).toBe(`${renderResultsTable(reportFixture())}\n`);
    expect(text.stdout).toContain('SCoRe             0.7300 [0.7100, 0.7500]  0.7100 [0.6800, 0.7400]   +0.0300 *');
    const markdown = await runCli(['report', path.join(run, 'eval', 'metrics.json'), '--markdown']);
    expect(markdown.stdout).toBe(renderResultsMarkdown(reportFixture()));
    expect(markdown.stdout.split('\n')[0]).toBe('| Model | AUC [95% CI] | UAUC [95% CI] | AUC vs P^b | UAUC vs P^b | AUC vs SCoRe | UAUC vs SCoRe | Users | Skipped | Log loss |');

    const readme = path.join(run, 'README.md');
    fs.writeFileSync(readme, '# Demo\n\n<!-- demo-table:start -->\nold table\n<!-- demo-table:end -->\n\nAfter.\n');
    await runCli(['report', run, '--readme', readme]);
    const rewritten = fs.readFileSync(readme, 'utf8');
    expect(rewritten.startsWith('# Demo\n\n<!-- demo-table:start -->\n| Model |')).toBe(true);
    expect(rewritten.endsWith('unmarked differences are within noise.\n<!-- demo-table:end -->\n\nAfter.\n')).toBe(true);
    expect(markedBlock(rewritten)).toBe(renderResultsMarkdown(reportFixture()).trimEnd());
  });

  it('--marker names other markers (the pretrained demo table); a bad marker name is refused', async () => {
    const run = tempDir();
    await writeReport(path.join(run, 'eval'), reportFixture());
    const readme = path.join(run, 'README.md');
    const before = '# Demo\n\n<!-- demo-table:start -->\nscratch\n<!-- demo-table:end -->\n\n<!-- demo-pretrained-table:start -->\nold\n<!-- demo-pretrained-table:end -->\n';
    fs.writeFileSync(readme, before);
    await runCli(['report', run, '--readme', readme, '--marker', 'demo-pretrained-table']);
    const rewritten = fs.readFileSync(readme, 'utf8');
    expect(markedBlock(rewritten)).toBe('scratch');
    expect(markedBlock(rewritten, 'demo-pretrained-table')).toBe(renderResultsMarkdown(reportFixture()).trimEnd());
    expect(() => replaceMarkedBlock(before, 'x', 'README.md', 'other-table')).toThrow('expected the markers <!-- other-table:start --> and <!-- other-table:end -->, in that order');
    expect(() => markedBlock(before, 'Bad Name')).toThrow('Invalid "marker": must be a kebab-case name');
  });

  it('names the missing file or markers', async () => {
    const empty = tempDir();
    await expect(runCli(['report', empty])).rejects.toThrow(`Evaluation metrics not found at ${path.join(empty, 'eval', 'metrics.json')}. Run the "eval" stage first.`);
    expect(() => replaceMarkedBlock('no markers here', 'x', 'README.md')).toThrow('expected the markers <!-- demo-table:start --> and <!-- demo-table:end -->, in that order');
  });
});
