import { describe, expect, it } from 'vitest';
import { MODEL_IDS } from './paper-reference';
import { renderMarkdownReport, renderResultsTable } from './render-markdown';
import { reportFixture } from './report-fixture';

describe('renderMarkdownReport', () => {
  const markdown = renderMarkdownReport(reportFixture());
  const lines = markdown.split('\n');

  it('writes the results table in Table 2 form with the paper columns', () => {
    expect(lines).toContain('| Model | Prompt | AUC | AUC 95% interval | UAUC | UAUC 95% interval | UAUC users | Skipped users | Log loss | Paper ML-1M AUC | Paper ML-1M UAUC |');
    expect(lines).toContain('| SCoRe | P^s | 0.7300 | [0.7100, 0.7500] | 0.7100 | [0.6800, 0.7400] | 40 | 2 | 0.6100 | 0.7367 | 0.7190 |');
    expect(lines).toContain('| Item popularity | - | 0.5500 | - | 0.5200 | - | 40 | 2 | 0.6900 | - | - |');
    expect(lines).toContain('| LM with P^b | P^b | 0.7000 | - | 0.6500 | - | 40 | 2 | 0.6100 | 0.7242 | 0.6721 |');
    expect(lines).toContain('Split scored: **test** (180 of 400 rows per model, a seeded sample). Generated 2026-11-27T06:00:00.000Z; config sha256 `' + 'a'.repeat(64) + '`.');
    expect(lines).toContain('- Scored: 180 of 400 test rows (a seeded sample, the same rows for every model).');
  });

  it('writes the paired differences with their intervals, real or within noise', () => {
    expect(lines).toContain('| Model | Minus | AUC difference | AUC 95% interval | AUC | UAUC difference | UAUC 95% interval | UAUC |');
    expect(lines).toContain('| SCoRe | LM with P^b | +0.0300 | [+0.0120, +0.0490] | real | +0.0600 | [-0.0040, +0.1210] | within noise |');
    expect(lines).toContain('| CAR without SARE | SCoRe | -0.0050 | [-0.0210, +0.0110] | within noise | -0.0100 | [-0.0320, +0.0130] | within noise |');
    expect(lines).toContain(
      '- Intervals: 95% percentile intervals, paired bootstrap over 42 users (1,000 resamples, the same users for every model). A difference marked * is real (its interval excludes zero); unmarked differences are within noise.',
    );
    expect(markdown).toContain('Scored without retraining: the full-SCoRe LM tuned at the main K_e/K_s scores every sweep point');
    expect(markdown).not.toContain('Retrieval fallback');
  });

  it('writes the ablation, sweeps and stage tables', () => {
    expect(lines).toContain('| CAR without SARE | CAR | none | 0.7250 | 0.7000 | -0.0050 | -0.0100 |');
    expect(lines).toContain('| SCoRe | CAR | SARE | 0.7300 | 0.7100 | ±0.0000 | ±0.0000 |');
    expect(lines).toContain('| 10 | 0.7300 * | 0.7100 |');
    expect(lines).toContain('| 15 | 0.7250 | 0.7150 * |');
    expect(lines).toContain('| 2 | 0.7300 * | 0.7100 * |');
    expect(lines).toContain('| car | done | 1 min 05 s | 65.00 |');
    expect(lines).toContain('| total |  | 1 h 03 min | 3820.22 |');
  });

  it('says which of the paper orderings hold and which do not', () => {
    expect(markdown).toContain('16 of 18 checked orderings hold on this run.');
    expect(lines).toContain('- **does not hold** (Fig. 4) K_e (users retrieved) peaks at 15 (paper, ML-1M) (AUC): best at 10: 0.7300 > 0.7250 at 15.');
    expect(lines).toContain(
      '- **does not hold** (Table 2) Every LLM variant > every conventional baseline (UAUC): lowest LM with P^b 0.6500 <= highest SASRec 0.6600. Paper (ML-1M): does not hold, lowest TALLRec (LLM, no CI) 0.6721 <= highest SASRec 0.6794.',
    );
  });

  it('keeps notes and names as text, never HTML', () => {
    expect(lines[0]).toBe('# Evaluation report: tiny & synthetic');
    expect(lines).toContain('- Labels &lt;b>bold&lt;/b> & "quoted" stay text.');
    expect(markdown).not.toContain('<b>');
  });

  it('escapes pipes in table cells and reports missing sweeps', () => {
    const metrics = reportFixture();
    const models = metrics.models.map((model) => (model.id === MODEL_IDS.mf ? { ...model, label: 'MF | tuned' } : model));
    const text = renderMarkdownReport({ ...metrics, models, sweeps: { retrieved: [], kept: [] } });
    expect(text).toContain('| MF \\| tuned | - | 0.6000 |');
    expect(text.match(/Not swept in this run\./g)).toHaveLength(2);
  });
});

describe('renderResultsTable', () => {
  it('aligns the columns for a terminal, with intervals, marked differences and the footer', () => {
    const lines = renderResultsTable(reportFixture()).split('\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe('Model                        AUC [95% CI]            UAUC [95% CI]  AUC vs P^b  UAUC vs P^b  AUC vs SCoRe  UAUC vs SCoRe  Users  Skipped  Log loss');
    expect(lines[8]).toBe('CAR without SARE                   0.7250                   0.7000   +0.0250 *    +0.0500 *       -0.0050        -0.0100     40        2    0.6100');
    expect(lines[9]).toBe('SCoRe             0.7300 [0.7100, 0.7500]  0.7100 [0.6800, 0.7400]   +0.0300 *      +0.0600             -              -     40        2    0.6100');
    expect(lines[10]).toBe('');
    expect(lines[11]).toBe('Scored: 180 of 400 test rows (a seeded sample, the same rows for every model).');
    expect(lines[12]).toBe('Seed: 42 (one run).');
  });

  it('leaves out the columns a run has no figures for', () => {
    const metrics = reportFixture();
    const plain = { ...metrics, models: metrics.models.map(({ aucInterval: _a, uaucInterval: _u, differences: _d, ...model }) => model) };
    const { bootstrap: _b, splitRows: _s, ...old } = plain;
    const lines = renderResultsTable(old).split('\n');
    expect(lines[0]).toBe('Model                AUC    UAUC  Users  Skipped  Log loss');
    expect(lines.slice(-3)).toEqual(['', 'Scored: 180 test rows.', 'Intervals: none (this metrics.json was written without the bootstrap).']);
  });
});
