import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEvaluationMetrics } from './evaluation-metrics-file';
import { renderHtmlReport } from './render-html';
import { renderMarkdownReport } from './render-markdown';
import { reportFixture } from './report-fixture';
import { writeReport } from './write-report';

describe('writeReport', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-report-write-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes metrics.json, report.md and report.html into a new folder', async () => {
    const target = path.join(dir, 'eval');
    const written = await writeReport(target, reportFixture());
    expect(written).toEqual({
      metrics: path.join(target, 'metrics.json'),
      markdown: path.join(target, 'report.md'),
      html: path.join(target, 'report.html'),
    });
    expect(fs.readdirSync(target).sort()).toEqual(['metrics.json', 'report.html', 'report.md']);
    expect(await readEvaluationMetrics(written.metrics)).toEqual(reportFixture());
    expect(fs.readFileSync(written.markdown, 'utf8')).toBe(renderMarkdownReport(reportFixture()));
    expect(fs.readFileSync(written.html, 'utf8')).toBe(renderHtmlReport(reportFixture()));
  });

  it('replaces an earlier report and writes nothing for invalid metrics', async () => {
    await writeReport(dir, reportFixture());
    const metrics = reportFixture();
    await writeReport(dir, { ...metrics, rows: 999 });
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('(999 rows per model)');
    await expect(writeReport(dir, { ...metrics, split: 'train' as 'test' })).rejects.toBeInstanceOf(InvalidOptionError);
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('(999 rows per model)');
    expect(fs.readdirSync(dir).sort()).toEqual(['metrics.json', 'report.html', 'report.md']);
  });
});
