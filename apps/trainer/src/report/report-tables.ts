import type { EvaluationMetrics, ModelDifference, RetrievalFallback, SweepPoint } from './evaluation-metrics';
import { MODEL_IDS, paperRowFor } from './paper-reference';
import {
  ablationModels,
  bestPoint,
  describePrompt,
  describeReranker,
  describeRetriever,
  formatDelta,
  formatInterval,
  formatMetric,
  formatSeconds,
} from './report-format';
import { confidenceLabel, differenceTo, excludesZero, formatCount, formatEstimate } from './results-summary';
import type { TableSpec } from './table-layout';

/** The Table 1 counts of the evaluated dataset, one row per split. */
export function datasetTable(metrics: EvaluationMetrics): TableSpec {
  const statistics = metrics.dataset.statistics;
  const rows = (['train', 'valid', 'test'] as const).map((split) => [
    split,
    String(statistics.rows[split]),
    formatMetric(statistics.positiveRate[split]),
  ]);
  const total = statistics.rows.train + statistics.rows.valid + statistics.rows.test;
  return {
    headers: ['Split', 'Rows', 'Positive rate'],
    rows: [...rows, ['all', String(total), formatMetric(statistics.positiveRate.all)]],
    align: ['left', 'right', 'right'],
  };
}

/**
 * The results in the form of Table 2, with the paper's ML-1M figures beside them for reference:
 * AUC and UAUC with their bootstrap intervals, and the mean ± sd over seeds when the run had several.
 */
export function resultsTable(metrics: EvaluationMetrics): TableSpec {
  const confidence = confidenceLabel(metrics);
  const seeds = metrics.models.some((model) => model.seeds !== undefined);
  return {
    headers: [
      'Model',
      'Prompt',
      'AUC',
      `AUC ${confidence} interval`,
      'UAUC',
      `UAUC ${confidence} interval`,
      ...(seeds ? ['AUC mean ± sd over seeds', 'UAUC mean ± sd over seeds'] : []),
      'UAUC users',
      'Skipped users',
      'Log loss',
      'Paper ML-1M AUC',
      'Paper ML-1M UAUC',
    ],
    rows: metrics.models.map((model) => {
      const paper = paperRowFor(model.id, metrics.paper);
      return [
        model.label,
        describePrompt(model),
        formatMetric(model.auc),
        formatInterval(model.aucInterval),
        formatMetric(model.uauc),
        formatInterval(model.uaucInterval),
        ...(seeds
          ? model.seeds === undefined
            ? ['-', '-']
            : [`${formatMetric(model.seeds.aucMean)} ± ${formatMetric(model.seeds.aucSd)}`, `${formatMetric(model.seeds.uaucMean)} ± ${formatMetric(model.seeds.uaucSd)}`]
          : []),
        String(model.uaucUsers),
        String(model.uaucSkipped),
        formatMetric(model.logLoss),
        paper === undefined ? '-' : formatMetric(paper.ml1m.auc),
        paper === undefined ? '-' : formatMetric(paper.ml1m.uauc),
      ];
    }),
    align: ['left', 'left', 'right', 'right', 'right', 'right', ...(seeds ? (['right', 'right'] as const) : []), 'right', 'right', 'right', 'right', 'right'],
  };
}

/** A difference for a table cell, marked " *" when its paired interval excludes zero. */
function markedDelta(value: number, difference: ModelDifference | undefined, metric: 'auc' | 'uauc'): string {
  const interval = difference === undefined ? undefined : metric === 'auc' ? difference.aucInterval : difference.uaucInterval;
  return `${formatDelta(value)}${interval !== undefined && excludesZero(interval) ? ' *' : ''}`;
}

/** The ablation of Fig. 3: every P^s variant, with its difference from full SCoRe (`*`: real, the paired interval excludes zero). */
export function ablationTable(metrics: EvaluationMetrics): TableSpec {
  const full = metrics.models.find((model) => model.id === MODEL_IDS.score);
  return {
    headers: ['Variant', 'Similar users from', 'Reranker', 'AUC', 'UAUC', 'AUC vs SCoRe', 'UAUC vs SCoRe'],
    rows: ablationModels(metrics.models).map((model) => {
      const difference = differenceTo(model, MODEL_IDS.score);
      return [
        model.label,
        describeRetriever(model),
        describeReranker(model),
        formatMetric(model.auc),
        formatMetric(model.uauc),
        full === undefined ? '-' : markedDelta(model.auc - full.auc, difference, 'auc'),
        full === undefined ? '-' : markedDelta(model.uauc - full.uauc, difference, 'uauc'),
      ];
    }),
    align: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
  };
}

/** Fallback rates to P^b per variant and split (rows whose retrieval found no similar user). */
export function fallbackTable(fallback: readonly RetrievalFallback[]): TableSpec {
  // Rows at or before the first behaviour snapshot always fall back (car.snapshots); shown when known.
  const snapshots = fallback.some((entry) => entry.beforeFirstSnapshot !== undefined);
  return {
    headers: ['Variant', 'Split', 'Rows', 'Fell back to P^b', 'Rate', ...(snapshots ? ['Before first snapshot'] : [])],
    rows: fallback.map((entry) => [
      entry.variant,
      entry.split,
      formatCount(entry.rows),
      formatCount(entry.fallbackRows),
      `${(entry.rate * 100).toFixed(1)}%`,
      ...(snapshots ? [entry.beforeFirstSnapshot === undefined ? '' : formatCount(entry.beforeFirstSnapshot)] : []),
    ]),
    align: ['left', 'left', 'right', 'right', 'right', ...(snapshots ? (['right'] as const) : [])],
  };
}

/** One sensitivity sweep of Fig. 4; the best value of each metric is marked with "*". */
export function sweepTable(points: readonly SweepPoint[], name: string): TableSpec {
  const bestAuc = bestPoint(points, 'auc');
  const bestUauc = bestPoint(points, 'uauc');
  return {
    headers: [name, 'AUC', 'UAUC'],
    rows: points.map((point) => [
      String(point.k),
      `${formatEstimate(point.auc, point.aucInterval)}${point === bestAuc ? ' *' : ''}`,
      `${formatEstimate(point.uauc, point.uaucInterval)}${point === bestUauc ? ' *' : ''}`,
    ]),
    align: ['right', 'right', 'right'],
  };
}

/** The wall time of every stage, with a total. */
export function stagesTable(metrics: EvaluationMetrics): TableSpec {
  const total = metrics.stages.reduce((sum, stage) => sum + stage.seconds, 0);
  return {
    headers: ['Stage', 'Status', 'Wall time', 'Seconds'],
    rows: [
      ...metrics.stages.map((stage) => [stage.name, stage.status, formatSeconds(stage.seconds), stage.seconds.toFixed(2)]),
      ['total', '', formatSeconds(total), total.toFixed(2)],
    ],
    align: ['left', 'left', 'right', 'right'],
  };
}

/** The paper's Table 2, for reference. */
export function paperTable(metrics: EvaluationMetrics): TableSpec {
  return {
    headers: ['Paper model', 'ML-1M AUC', 'ML-1M UAUC', 'Games AUC', 'Games UAUC', 'Run here'],
    rows: metrics.paper.table2.map((row) => [
      row.label,
      formatMetric(row.ml1m.auc),
      formatMetric(row.ml1m.uauc),
      formatMetric(row.games.auc),
      formatMetric(row.games.uauc),
      metrics.models.some((model) => model.id === row.id) ? 'yes' : 'no',
    ]),
    align: ['left', 'right', 'right', 'right', 'right', 'left'],
  };
}
