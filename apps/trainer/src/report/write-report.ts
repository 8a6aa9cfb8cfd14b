import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@score/core';
import type { EvaluationMetrics } from './evaluation-metrics';
import { METRICS_FILE } from './evaluation-metrics';
import { validateEvaluationMetrics } from './evaluation-metrics-file';
import { renderHtmlReport } from './render-html';
import { renderMarkdownReport } from './render-markdown';

/** Name of the Markdown report in the eval folder. */
export const MARKDOWN_REPORT_FILE = 'report.md';

/** Name of the HTML report in the eval folder. */
export const HTML_REPORT_FILE = 'report.html';

/** The files {@link writeReport} wrote, as absolute paths. */
export interface WrittenReport {
  readonly metrics: string;
  readonly markdown: string;
  readonly html: string;
}

/**
 * Validates the metrics, then writes metrics.json, report.md and report.html into `dir` (created
 * if missing), each atomically (temporary file, then rename). Nothing is written when the
 * metrics are invalid.
 * @throws InvalidOptionError naming the first bad field of `metrics`.
 */
export async function writeReport(dir: string, metrics: EvaluationMetrics): Promise<WrittenReport> {
  validateEvaluationMetrics(metrics);
  const markdown = renderMarkdownReport(metrics);
  const html = renderHtmlReport(metrics);
  const folder = path.resolve(dir);
  await fs.promises.mkdir(folder, { recursive: true });
  const written: WrittenReport = {
    metrics: path.join(folder, METRICS_FILE),
    markdown: path.join(folder, MARKDOWN_REPORT_FILE),
    html: path.join(folder, HTML_REPORT_FILE),
  };
  await writeFileAtomic(written.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  await writeFileAtomic(written.markdown, markdown);
  await writeFileAtomic(written.html, html);
  return written;
}
