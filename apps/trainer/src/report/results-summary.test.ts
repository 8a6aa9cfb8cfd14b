import { describe, expect, it } from 'vitest';
import type { EvaluationMetrics } from './evaluation-metrics';
import { validateEvaluationMetrics } from './evaluation-metrics-file';
import { MODEL_IDS } from './paper-reference';
import { renderHtmlReport } from './render-html';
import { renderMarkdownReport, renderResultsMarkdown, renderResultsTable } from './render-markdown';
import { reportFixture } from './report-fixture';
import { differenceVerdict, excludesZero, formatEstimate, resultsFooter } from './results-summary';

/** The fixture as a three-seed run with LMs tuned on part of the train split, retrained sweeps and fallback rates. */
function seededFixture(): EvaluationMetrics {
  const metrics = reportFixture();
  const spreads: Record<string, { aucMean: number; aucSd: number; uaucMean: number; uaucSd: number }> = {
    [MODEL_IDS.basicPrompt]: { aucMean: 0.695, aucSd: 0.008, uaucMean: 0.651, uaucSd: 0.012 },
    [MODEL_IDS.score]: { aucMean: 0.724, aucSd: 0.0061, uaucMean: 0.7, uaucSd: 0.0095 },
  };
  return {
    ...metrics,
    trainRows: { rows: 300, of: 600 },
    seeds: {
      seeds: [42, 43, 44],
      stages: ['rec', 'eval'],
      runs: [42, 43, 44].map((seed) => ({ seed, models: metrics.models.map((model) => ({ id: model.id, auc: model.auc, uauc: model.uauc, logLoss: model.logLoss })) })),
    },
    models: metrics.models.map((model) => (spreads[model.id] ? { ...model, seeds: { count: 3, ...spreads[model.id]! } } : model)),
    sweeps: { ...metrics.sweeps, retrained: true },
    retrievalFallback: [
      { variant: 'cf', split: 'train', rows: 3000, fallbackRows: 1834, rate: 1834 / 3000 },
      { variant: 'score', split: 'test', rows: 1000, fallbackRows: 12, rate: 0.012 },
    ],
  };
}

describe('results summary', () => {
  it('calls a difference real only when its interval excludes zero', () => {
    expect(excludesZero({ lower: 0.001, upper: 0.02 })).toBe(true);
    expect(excludesZero({ lower: -0.02, upper: -0.001 })).toBe(true);
    expect(excludesZero({ lower: -0.001, upper: 0.02 })).toBe(false);
    expect(excludesZero({ lower: 0, upper: 0.02 })).toBe(false);
    expect(differenceVerdict({ lower: -0.004, upper: 0.121 })).toBe('within noise');
    expect(differenceVerdict({ lower: 0.012, upper: 0.049 })).toBe('real');
    expect(formatEstimate(0.64967, { lower: 0.63011, upper: 0.669 })).toBe('0.6497 [0.6301, 0.6690]');
    expect(formatEstimate(0.64967, undefined)).toBe('0.6497');
  });

  it('shows the mean and standard deviation over seeds, the seeds and the train rows used', () => {
    const metrics = validateEvaluationMetrics(seededFixture());
    const lines = renderResultsTable(metrics).split('\n');
    expect(lines[0]).toContain('AUC mean ± sd   UAUC mean ± sd');
    expect(lines[9]).toContain('0.7240 ± 0.0061  0.7000 ± 0.0095');
    expect(lines[2]).toMatch(/ -  +- +40 +2 +0\.6900$/);
    expect(resultsFooter(metrics)).toEqual([
      'Scored: 180 of 400 test rows (a seeded sample, the same rows for every model).',
      'Seeds: 42, 43, 44 (rec, eval repeated per seed); figures and intervals are those of seed 42, mean ± sd over all 3 seeds.',
      'Intervals: 95% percentile intervals, paired bootstrap over 42 users (1,000 resamples, the same users for every model). A difference marked * is real (its interval excludes zero); unmarked differences are within noise.',
      'The LMs were tuned on 300 of 600 train rows (rec.trainRows); the paper tunes on the whole train split.',
    ]);
    const markdown = renderResultsMarkdown(metrics);
    expect(markdown.split('\n')[0]).toBe(
      '| Model | AUC [95% CI] | UAUC [95% CI] | AUC vs P^b | UAUC vs P^b | AUC vs SCoRe | UAUC vs SCoRe | AUC mean ± sd | UAUC mean ± sd | Users | Skipped | Log loss |',
    );
    expect(markdown).toContain('| SCoRe | 0.7300 [0.7100, 0.7500] | 0.7100 [0.6800, 0.7400] | +0.0300 * | +0.0600 | - | - | 0.7240 ± 0.0061 | 0.7000 ± 0.0095 | 40 | 2 | 0.6100 |');
    expect(markdown).toContain('- The LMs were tuned on 300 of 600 train rows (rec.trainRows); the paper tunes on the whole train split.');
  });

  it('renders the fallback rates and the retrained sweeps in both reports', () => {
    const metrics = validateEvaluationMetrics(seededFixture());
    const markdown = renderMarkdownReport(metrics);
    expect(markdown).toContain('| cf | train | 3,000 | 1,834 | 61.1% |');
    expect(markdown).toContain('| score | test | 1,000 | 12 | 1.2% |');
    expect(markdown).toContain('Every sweep point is scored by a full-SCoRe LM tuned at that point (eval.retrainSweeps), as in the paper.');
    expect(markdown).toContain('| 10 | 0.7300 * | 0.7100 |');
    const html = renderHtmlReport(metrics);
    expect(html).toContain('<h3>Retrieval fallback to P^b</h3>');
    expect(html).toContain('<td class="num">61.1%</td>');
    expect(html).toContain('AUC and UAUC vs K_e (LM retrained at each point)');
    expect(html).toContain('<td>within noise</td>');
    expect(html).toContain('<li>Seeds: 42, 43, 44 (rec, eval repeated per seed)');
    const unretrained = renderHtmlReport(reportFixture());
    expect(unretrained).toContain('AUC and UAUC vs K_s (scored without retraining)');
    expect(unretrained).not.toContain('Retrieval fallback');
  });

  it('rejects malformed new fields in metrics.json', () => {
    const metrics = seededFixture();
    expect(() => validateEvaluationMetrics({ ...metrics, retrievalFallback: [{ variant: 'cf', split: 'train', rows: 3, fallbackRows: 1, rate: 2 }] })).toThrow('metrics.retrievalFallback.0.rate');
    const models = metrics.models.map((model) => (model.id === MODEL_IDS.score ? { ...model, differences: [{ reference: 'basic', auc: 0.1, aucInterval: { lower: 0 }, uauc: 0, uaucInterval: { lower: 0, upper: 0 } }] } : model));
    expect(() => validateEvaluationMetrics({ ...metrics, models })).toThrow('metrics.models.7.differences.0.aucInterval.upper');
  });
});
