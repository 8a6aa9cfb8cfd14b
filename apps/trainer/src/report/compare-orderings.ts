import type { EvaluationMetrics, ModelMetrics, SweepPoint } from './evaluation-metrics';
import { MODEL_IDS } from './paper-reference';

/** A metric that orderings compare. */
export type OrderingMetric = 'auc' | 'uauc';

/** Whether one of the paper's orderings holds on a run. */
export interface OrderingFinding {
  /** The ordering, in words, e.g. "Full SCoRe > the LM with P^b (AUC)". */
  readonly claim: string;
  /** Where the paper makes it: "Table 2", "Fig. 3" or "Fig. 4". */
  readonly source: string;
  /** The metric compared. */
  readonly metric: OrderingMetric;
  /** False when the run lacks a model or sweep point the claim needs; `holds` is then false too. */
  readonly checked: boolean;
  /** Whether the run's numbers satisfy the ordering (strictly; ties do not hold). */
  readonly holds: boolean;
  /** The numbers compared (with the paired difference's interval and "real" / "within noise" when the run has it), or what was missing. */
  readonly detail: string;
  /** Whether the paper's own ML-1M numbers satisfy it; absent where the paper lacks the models. */
  readonly paperHolds?: boolean;
  /** The paper's ML-1M numbers compared, when `paperHolds` is set. */
  readonly paperDetail?: string;
}

const METRIC_NAMES: Readonly<Record<OrderingMetric, string>> = { auc: 'AUC', uauc: 'UAUC' };

interface Scored {
  readonly label: string;
  readonly value: number;
}

function format(value: number): string {
  return value.toFixed(4);
}

/** Holds when the lowest of `higher` beats the highest of `lower`. */
function compareGroups(higher: readonly Scored[], lower: readonly Scored[]): { holds: boolean; detail: string } {
  const low = higher.reduce((a, b) => (b.value < a.value ? b : a));
  const high = lower.reduce((a, b) => (b.value > a.value ? b : a));
  const holds = low.value > high.value;
  const left = higher.length > 1 ? `lowest ${low.label}` : low.label;
  const right = lower.length > 1 ? `highest ${high.label}` : high.label;
  return { holds, detail: `${left} ${format(low.value)} ${holds ? '>' : '<='} ${right} ${format(high.value)}` };
}

function paperScores(metrics: EvaluationMetrics, ids: readonly string[], metric: OrderingMetric): Scored[] {
  return metrics.paper.table2.filter((row) => ids.includes(row.id)).map((row) => ({ label: row.label, value: row.ml1m[metric] }));
}

function groupFinding(
  metrics: EvaluationMetrics,
  claim: string,
  source: string,
  metric: OrderingMetric,
  sides: { readonly higher: readonly ModelMetrics[]; readonly lower: readonly ModelMetrics[] },
  paperIds: { readonly higher: readonly string[]; readonly lower: readonly string[] },
  missing: readonly string[],
): OrderingFinding {
  const { higher, lower } = sides;
  const text = `${claim} (${METRIC_NAMES[metric]})`;
  const paperHigher = paperScores(metrics, paperIds.higher, metric);
  const paperLower = paperScores(metrics, paperIds.lower, metric);
  const paper = paperHigher.length > 0 && paperLower.length > 0 ? compareGroups(paperHigher, paperLower) : undefined;
  const paperFields = paper === undefined ? {} : { paperHolds: paper.holds, paperDetail: paper.detail };
  if (missing.length > 0 || higher.length === 0 || lower.length === 0) {
    const what = missing.length > 0 ? missing.join(', ') : 'one side of the comparison';
    return { claim: text, source, metric, checked: false, holds: false, detail: `not measured: this run has no ${what}`, ...paperFields };
  }
  const run = compareGroups(
    higher.map((model) => ({ label: model.label, value: model[metric] })),
    lower.map((model) => ({ label: model.label, value: model[metric] })),
  );
  return { claim: text, source, metric, checked: true, holds: run.holds, detail: run.detail, ...paperFields };
}

function pairFinding(metrics: EvaluationMetrics, claim: string, source: string, metric: OrderingMetric, higherId: string, lowerId: string): OrderingFinding {
  const higher = metrics.models.find((model) => model.id === higherId);
  const lower = metrics.models.find((model) => model.id === lowerId);
  const absent = [higher === undefined ? `"${higherId}"` : undefined, lower === undefined ? `"${lowerId}"` : undefined].filter((id): id is string => id !== undefined);
  const sides = { higher: higher === undefined ? [] : [higher], lower: lower === undefined ? [] : [lower] };
  const missing = absent.length === 0 ? [] : [`model ${absent.join(' or ')}`];
  const finding = groupFinding(metrics, claim, source, metric, sides, { higher: [higherId], lower: [lowerId] }, missing);
  // With the paired bootstrap: is the gap real (interval excludes zero) or within noise?
  const difference = higher?.differences?.find((entry) => entry.reference === lowerId);
  if (!finding.checked || difference === undefined) return finding;
  const interval = metric === 'auc' ? difference.aucInterval : difference.uaucInterval;
  const real = interval.lower > 0 || interval.upper < 0;
  return { ...finding, detail: `${finding.detail}; paired difference ${format(difference[metric])} [${format(interval.lower)}, ${format(interval.upper)}], ${real ? 'real' : 'within noise'}` };
}

function peakFinding(metrics: EvaluationMetrics, name: string, points: readonly SweepPoint[], expected: number, metric: OrderingMetric, where: string): OrderingFinding {
  const claim = `${name} peaks at ${expected} (paper, ${where}) (${METRIC_NAMES[metric]})`;
  const base = { claim, source: 'Fig. 4', metric };
  if (!points.some((point) => point.k === expected)) {
    const swept = points.length === 0 ? 'no sweep was run' : `the sweep covers ${points.map((point) => point.k).join(', ')} only`;
    return { ...base, checked: false, holds: false, detail: `not measured: ${swept}` };
  }
  const best = points.reduce((a, b) => (b[metric] > a[metric] ? b : a));
  const atExpected = points.find((point) => point.k === expected)!;
  const holds = atExpected[metric] >= best[metric];
  const detail = holds
    ? `best at ${expected}: ${format(atExpected[metric])}`
    : `best at ${best.k}: ${format(best[metric])} > ${format(atExpected[metric])} at ${expected}`;
  return { ...base, checked: true, holds, detail };
}

/**
 * Checks the paper's orderings on a run: full SCoRe above the P^b LM (Table 2), above its ablations
 * (Fig. 3), LLMs above conventional baselines, SASRec > MF > popularity, and where the Fig. 4
 * sweeps peak. One finding per claim and metric (AUC, UAUC), in that order.
 */
export function compareWithPaper(metrics: EvaluationMetrics): OrderingFinding[] {
  const findings: OrderingFinding[] = [];
  const games = metrics.dataset.domain === 'games';
  const pairs: readonly [string, string, string, string][] = [
    ['Full SCoRe > the LM with P^b (no CI, TALLRec-like)', 'Table 2', MODEL_IDS.score, MODEL_IDS.basicPrompt],
    ['Full SCoRe > SCoRe-cf (CRM neighbours)', 'Fig. 3', MODEL_IDS.score, MODEL_IDS.scoreCf],
    ['Full SCoRe > SCoRe-base (untuned retriever)', 'Fig. 3', MODEL_IDS.score, MODEL_IDS.scoreBase],
    ['Full SCoRe > CAR without SARE', 'Fig. 3', MODEL_IDS.score, MODEL_IDS.scoreNoSare],
  ];
  // The paper's orderings are about tuned LMs; zero-shot rows (eval.zeroShot) stay out of them.
  const llms = metrics.models.filter((model) => model.family === 'llm' && model.tuning === undefined);
  const baselines = metrics.models.filter((model) => model.family === 'baseline');
  for (const metric of ['auc', 'uauc'] as const) {
    for (const [claim, source, higher, lower] of pairs) findings.push(pairFinding(metrics, claim, source, metric, higher, lower));
    const missing = [llms.length === 0 ? 'LLM model' : undefined, baselines.length === 0 ? 'conventional baseline' : undefined].filter((entry): entry is string => entry !== undefined);
    const ids = { higher: llms.map((model) => model.id), lower: baselines.map((model) => model.id) };
    findings.push(groupFinding(metrics, 'Every LLM variant > every conventional baseline', 'Table 2', metric, { higher: llms, lower: baselines }, ids, missing));
    findings.push(pairFinding(metrics, 'SASRec > MF', 'Table 2', metric, MODEL_IDS.sasrec, MODEL_IDS.mf));
    findings.push(pairFinding(metrics, 'MF > item popularity', 'sanity check', metric, MODEL_IDS.mf, MODEL_IDS.popularity));
    if (!games) findings.push(peakFinding(metrics, 'K_e (users retrieved)', metrics.sweeps.retrieved, metrics.paper.sweepPeaks.retrievedMl1m, metric, 'ML-1M'));
    const keptPeak = games ? metrics.paper.sweepPeaks.keptGames : metrics.paper.sweepPeaks.keptMl1m;
    findings.push(peakFinding(metrics, 'K_s (users kept)', metrics.sweeps.kept, keptPeak, metric, games ? 'Games' : 'ML-1M'));
  }
  return findings;
}
