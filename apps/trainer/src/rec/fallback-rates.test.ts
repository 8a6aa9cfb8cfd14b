import type { Row } from '@score/core';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport, renderMarkdownReport, validateEvaluationMetrics } from '../report';
import { reportFixture } from '../report/report-fixture';
import type { PromptRecord } from '@score/prompt-kit';
import { fallbackRate } from './fallback-rates';

const row = (index: number, timestamp: number): Row => ({ index, userId: `u${index}`, itemId: 'i', label: 1, timestamp, split: 'train', historyLength: 1 }) as Row;
const record = (index: number, similar: number): PromptRecord => ({
  rowIndex: index,
  userId: `u${index}`,
  itemId: 'i',
  label: 1,
  prompt: 'p',
  similarUsers: Array.from({ length: similar }, (_, i) => ({ userId: `s${i}`, score: 1 })),
});

describe('fallbackRate', () => {
  it('counts the rows that got no similar user, and those at or before the first snapshot', () => {
    const rows = [row(0, 5), row(1, 10), row(2, 11), row(3, 50)];
    const records = [record(0, 0), record(1, 0), record(2, 2), record(3, 0)];
    expect(fallbackRate('car', 'train', rows, records, [10, 40])).toEqual({ variant: 'car', split: 'train', rows: 4, fallbackRows: 3, rate: 0.75, beforeFirstSnapshot: 2 });
    expect(fallbackRate('cf', 'test', rows, records)).toEqual({ variant: 'cf', split: 'test', rows: 4, fallbackRows: 3, rate: 0.75 });
    expect(fallbackRate('score', 'valid', [], [], [10])).toEqual({ variant: 'score', split: 'valid', rows: 0, fallbackRows: 0, rate: 0, beforeFirstSnapshot: 0 });
    expect(fallbackRate('basic', 'train', rows, records)).toBeUndefined();
    expect(() => fallbackRate('car', 'train', rows, records.slice(1))).toThrow(RangeError);
  });

  it('is a valid metrics.json field and a table of the report', () => {
    const retrievalFallback = [
      { variant: 'car', split: 'train' as const, rows: 3000, fallbackRows: 172, rate: 172 / 3000, beforeFirstSnapshot: 172 },
      { variant: 'car', split: 'test' as const, rows: 1000, fallbackRows: 0, rate: 0 },
    ];
    const metrics = validateEvaluationMetrics({ ...reportFixture(), retrievalFallback });
    const markdown = renderMarkdownReport(metrics);
    expect(markdown).toContain('### Retrieval fallback to P^b');
    expect(markdown).toMatch(/\| car \| train \| 3,000 \| 172 \| 5\.7% \| 172 \|/);
    expect(markdown).toMatch(/\| car \| test \| 1,000 \| 0 \| 0\.0% \| {2}\|/);
    expect(renderMarkdownReport(reportFixture())).not.toContain('Retrieval fallback');
    const html = renderHtmlReport(metrics);
    expect(html).toContain('<h3>Retrieval fallback to P^b</h3>');
    expect(html).toMatch(/<td[^>]*>car<\/td><td[^>]*>train<\/td><td[^>]*>3,000<\/td><td[^>]*>172<\/td><td[^>]*>5\.7%<\/td><td[^>]*>172<\/td>/);
    // Without snapshot counts the column is left out.
    const plain = renderMarkdownReport(validateEvaluationMetrics({ ...reportFixture(), retrievalFallback: [retrievalFallback[1]] }));
    expect(plain).not.toContain('Before first snapshot');
    expect(() => validateEvaluationMetrics({ ...reportFixture(), retrievalFallback: [{ ...retrievalFallback[0], rate: 2 }] })).toThrow(/retrievalFallback/);
  });
});
