import { describe, expect, it } from 'vitest';
import { MODEL_IDS } from './paper-reference';
import { renderHtmlReport } from './render-html';
import { reportFixture } from './report-fixture';

const VOID_ELEMENTS = new Set(['meta', 'br', 'hr', 'img', 'link', 'input']);

/** Checks that every opened tag is closed in order; returns the problems found. */
function unbalancedTags(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/<!DOCTYPE[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const [, closing, name, rest] = match;
    const tag = name!.toLowerCase();
    if (closing === '/') {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open ?? 'nothing'}>`);
    } else if (!VOID_ELEMENTS.has(tag) && !rest!.endsWith('/')) {
      stack.push(tag);
    }
  }
  return [...problems, ...stack.map((tag) => `<${tag}> is never closed`)];
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(reportFixture());

  it('is one well-formed, self-contained page', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(unbalancedTags(html)).toEqual([]);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/url\(/);
    expect(html).not.toMatch(/@import/);
  });

  it('draws the model, ablation, sweep and stage charts', () => {
    expect(count(html, /<svg /g)).toBe(5);
    // 8 models x 2 series + 4 ablation variants x 2 series + 7 stages.
    expect(count(html, /<rect class="bar"/g)).toBe(16 + 8 + 7);
    // Two sweeps of 4 points, 2 series each.
    expect(count(html, /<circle class="point"/g)).toBe(16);
    expect(html).toContain('<title>AUC, SCoRe: 0.7300</title>');
    expect(html).toContain('<title>seconds, rec (done): 1 h 01 min</title>');
  });

  it('shows the tables and the orderings with their verdicts', () => {
    // dataset, results, differences, ablation, two sweeps, stages, paper
    expect(count(html, /<table>/g)).toBe(8);
    expect(html).toContain('<tr><td>SCoRe</td><td>P^s</td><td class="num">0.7300</td><td class="num">[0.7100, 0.7500]</td><td class="num">0.7100</td><td class="num">[0.6800, 0.7400]</td>');
    expect(html).toContain('<tr><td>SCoRe</td><td>LM with P^b</td><td class="num">+0.0300</td><td class="num">[+0.0120, +0.0490]</td><td>real</td>');
    expect(html).toContain('<li>Scored: 180 of 400 test rows (a seeded sample, the same rows for every model).</li>');
    expect(count(html, /<li class="fails">/g)).toBe(2);
    expect(count(html, /<li class="holds">/g)).toBe(16);
    expect(html).toContain('lowest LM with P^b 0.6500 &lt;= highest SASRec 0.6600');
  });

  it('escapes every piece of text from the metrics', () => {
    const metrics = reportFixture();
    const models = metrics.models.map((model) => (model.id === MODEL_IDS.score ? { ...model, label: 'SCoRe <full>' } : model));
    const escaped = renderHtmlReport({ ...metrics, models });
    expect(escaped).toContain('<td>SCoRe &lt;full&gt;</td>');
    expect(escaped).toContain('>SCoRe &lt;full&gt;</text>');
    expect(escaped).not.toContain('<full>');
    expect(escaped).toContain('<li>Labels &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; stay text.</li>');
    expect(escaped).toContain('<title>Evaluation report: tiny &amp; synthetic</title>');
    expect(unbalancedTags(escaped)).toEqual([]);
  });

  it('stays well-formed without models, sweeps or stages', () => {
    const empty = renderHtmlReport({ ...reportFixture(), models: [], sweeps: { retrieved: [], kept: [] }, stages: [] });
    expect(unbalancedTags(empty)).toEqual([]);
    expect(empty).toContain('<p>No model was scored.</p>');
    expect(count(empty, /<svg /g)).toBe(0);
  });
});
