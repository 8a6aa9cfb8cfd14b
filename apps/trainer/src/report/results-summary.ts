import type { EvaluationMetrics, Interval, ModelDifference, ModelMetrics } from './evaluation-metrics';
import { MODEL_IDS } from './paper-reference';
import { formatDelta, formatMetric } from './report-format';
import type { TableSpec } from './table-layout';

/** A number with thousands separators ("2,871"). */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** The coverage of the run's intervals in percent ("95%"), from `metrics.bootstrap` (0.95 when absent). */
export function confidenceLabel(metrics: EvaluationMetrics): string {
  return `${Math.round((metrics.bootstrap?.confidence ?? 0.95) * 1000) / 10}%`;
}

/** "0.6497 [0.6301, 0.6690]", or the bare value when there is no interval. */
export function formatEstimate(value: number, interval: Interval | undefined): string {
  return interval === undefined ? formatMetric(value) : `${formatMetric(value)} [${formatMetric(interval.lower)}, ${formatMetric(interval.upper)}]`;
}

/** A signed interval, "[-0.0020, +0.0102]". */
export function formatDeltaInterval(interval: Interval): string {
  return `[${formatDelta(interval.lower)}, ${formatDelta(interval.upper)}]`;
}

/** Whether an interval of a difference excludes zero: the difference is real, not noise. */
export function excludesZero(interval: Interval): boolean {
  return interval.lower > 0 || interval.upper < 0;
}

/** "real" when the interval excludes zero, else "within noise". */
export function differenceVerdict(interval: Interval): string {
  return excludesZero(interval) ? 'real' : 'within noise';
}

/** A model's paired difference to a reference model, if recorded. */
export function differenceTo(model: ModelMetrics, reference: string): ModelDifference | undefined {
  return model.differences?.find((difference) => difference.reference === reference);
}

/** A difference for a compact cell: "+0.0339 *" when real (interval excludes zero), "+0.0041" when within noise, "-" when absent. */
function deltaCell(difference: ModelDifference | undefined, metric: 'auc' | 'uauc'): string {
  if (difference === undefined) return '-';
  const interval = metric === 'auc' ? difference.aucInterval : difference.uaucInterval;
  return `${formatDelta(difference[metric])}${excludesZero(interval) ? ' *' : ''}`;
}

function hasSeeds(metrics: EvaluationMetrics): boolean {
  return metrics.models.some((model) => model.seeds !== undefined);
}

function hasDifferences(metrics: EvaluationMetrics, reference: string): boolean {
  return metrics.models.some((model) => differenceTo(model, reference) !== undefined);
}

function spread(mean: number, sd: number): string {
  return `${formatMetric(mean)} ± ${formatMetric(sd)}`;
}

/**
 * The compact results table of the terminal and of `score-train report`: each model's AUC and UAUC
 * with their intervals, the paired differences to P^b and to full SCoRe (marked `*` when real),
 * the mean ± sd over seeds when the run had several, users, skipped users and log loss. Columns
 * without data in the metrics (no differences, one seed) are left out.
 */
export function compactResultsTable(metrics: EvaluationMetrics): TableSpec {
  const confidence = confidenceLabel(metrics);
  const withIntervals = metrics.models.some((model) => model.aucInterval !== undefined || model.uaucInterval !== undefined);
  const references = [
    { id: MODEL_IDS.basicPrompt, name: 'P^b' },
    { id: MODEL_IDS.score, name: 'SCoRe' },
  ].filter((reference) => hasDifferences(metrics, reference.id));
  const seeds = hasSeeds(metrics);
  const headers = [
    'Model',
    withIntervals ? `AUC [${confidence} CI]` : 'AUC',
    withIntervals ? `UAUC [${confidence} CI]` : 'UAUC',
    ...references.flatMap((reference) => [`AUC vs ${reference.name}`, `UAUC vs ${reference.name}`]),
    ...(seeds ? ['AUC mean ± sd', 'UAUC mean ± sd'] : []),
    'Users',
    'Skipped',
    'Log loss',
  ];
  const rows = metrics.models.map((model) => [
    model.label,
    formatEstimate(model.auc, model.aucInterval),
    formatEstimate(model.uauc, model.uaucInterval),
    ...references.flatMap((reference) => [deltaCell(differenceTo(model, reference.id), 'auc'), deltaCell(differenceTo(model, reference.id), 'uauc')]),
    ...(seeds ? [model.seeds ? spread(model.seeds.aucMean, model.seeds.aucSd) : '-', model.seeds ? spread(model.seeds.uaucMean, model.seeds.uaucSd) : '-'] : []),
    String(model.uaucUsers),
    String(model.uaucSkipped),
    formatMetric(model.logLoss),
  ]);
  return { headers, rows, align: headers.map((_, column) => (column === 0 ? 'left' : 'right')) };
}

/**
 * Every paired difference of the run: model, reference, the AUC and UAUC differences with their
 * intervals and whether each is real (interval excludes zero) or within noise.
 */
export function differencesTable(metrics: EvaluationMetrics): TableSpec {
  const labelOf = (id: string) => metrics.models.find((model) => model.id === id)?.label ?? id;
  const confidence = confidenceLabel(metrics);
  return {
    headers: ['Model', 'Minus', 'AUC difference', `AUC ${confidence} interval`, 'AUC', 'UAUC difference', `UAUC ${confidence} interval`, 'UAUC'],
    rows: metrics.models.flatMap((model) =>
      (model.differences ?? []).map((difference) => [
        model.label,
        labelOf(difference.reference),
        formatDelta(difference.auc),
        formatDeltaInterval(difference.aucInterval),
        differenceVerdict(difference.aucInterval),
        formatDelta(difference.uauc),
        formatDeltaInterval(difference.uaucInterval),
        differenceVerdict(difference.uaucInterval),
      ]),
    ),
    align: ['left', 'left', 'right', 'right', 'left', 'right', 'right', 'left'],
  };
}

/** Whether the run recorded any paired difference. */
export function hasAnyDifference(metrics: EvaluationMetrics): boolean {
  return metrics.models.some((model) => (model.differences?.length ?? 0) > 0);
}

/**
 * The lines under a results table: how many rows were scored (and of how many), the seeds, how the
 * intervals were computed and what `*` means, and how many train rows tuned the LMs when fewer than
 * the whole split.
 */
export function resultsFooter(metrics: EvaluationMetrics): string[] {
  const lines: string[] = [];
  const split = metrics.split;
  if (metrics.splitRows !== undefined && metrics.splitRows > metrics.rows) {
    lines.push(`Scored: ${formatCount(metrics.rows)} of ${formatCount(metrics.splitRows)} ${split} rows (a seeded sample, the same rows for every model).`);
  } else {
    lines.push(`Scored: ${metrics.splitRows === undefined ? '' : 'all '}${formatCount(metrics.rows)} ${split} rows.`);
  }
  if (metrics.seeds !== undefined && metrics.seeds.seeds.length > 1) {
    lines.push(`Seeds: ${metrics.seeds.seeds.join(', ')} (${metrics.seeds.stages.join(', ')} repeated per seed); figures and intervals are those of seed ${metrics.seeds.seeds[0]}, mean ± sd over all ${metrics.seeds.seeds.length} seeds.`);
  } else {
    const seed = metrics.seeds?.seeds[0] ?? metrics.bootstrap?.seed;
    if (seed !== undefined) lines.push(`Seed: ${seed} (one run).`);
  }
  if (metrics.bootstrap !== undefined) {
    const bootstrap = metrics.bootstrap;
    lines.push(
      `Intervals: ${confidenceLabel(metrics)} percentile intervals, paired bootstrap over ${formatCount(bootstrap.users)} users (${formatCount(bootstrap.samples)} resamples, the same users for every model).` +
        (hasAnyDifference(metrics) ? ' A difference marked * is real (its interval excludes zero); unmarked differences are within noise.' : ''),
    );
  }
  if (metrics.bootstrap === undefined) lines.push('Intervals: none (this metrics.json was written without the bootstrap).');
  if (metrics.trainRows !== undefined) {
    lines.push(`The LMs were tuned on ${formatCount(metrics.trainRows.rows)} of ${formatCount(metrics.trainRows.of)} train rows (rec.trainRows); the paper tunes on the whole train split.`);
  }
  return lines;
}

/** "180 rows per model", or "1,000 of 2,871 rows per model, a seeded sample". */
export function scoredRows(metrics: EvaluationMetrics): string {
  return metrics.splitRows !== undefined && metrics.splitRows > metrics.rows
    ? `${formatCount(metrics.rows)} of ${formatCount(metrics.splitRows)} rows per model, a seeded sample`
    : `${formatCount(metrics.rows)} rows per model`;
}
