import type { Interval, ModelMetrics, SweepPoint } from './evaluation-metrics';

/** A metric with four decimals, as in the paper's tables. */
export function formatMetric(value: number): string {
  return value.toFixed(4);
}

/** A confidence interval as "[0.7012, 0.7398]", or "-" when absent. */
export function formatInterval(interval: Interval | undefined): string {
  return interval === undefined ? '-' : `[${formatMetric(interval.lower)}, ${formatMetric(interval.upper)}]`;
}

/** A signed difference with four decimals, e.g. "+0.0123" or "-0.0040". */
export function formatDelta(value: number): string {
  const rounded = Number(value.toFixed(4));
  return `${rounded > 0 ? '+' : rounded < 0 ? '-' : '±'}${Math.abs(rounded).toFixed(4)}`;
}

/** A wall time: "0.42 s", "12.3 s", "3 min 05 s", "1 h 02 min". */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** Where a model's similar users came from, in words. */
export function describeRetriever(model: ModelMetrics): string {
  switch (model.retriever) {
    case 'cf':
      // car.cfRetrieval: "embedding" (the default) labels the row "SCoRe-cf (CRM embeddings)".
      return model.label.includes('CRM embeddings') ? 'CRM user embeddings' : 'CRM neighbours';
    case 'base':
      return 'untuned retriever';
    case 'car':
      return 'CAR';
    default:
      return '-';
  }
}

/** Whether SARE reranked, in words. */
export function describeReranker(model: ModelMetrics): string {
  return model.reranker === 'sare' ? 'SARE' : model.reranker === 'none' ? 'none' : '-';
}

/** The prompt of a model, in the paper's notation. */
export function describePrompt(model: ModelMetrics): string {
  return model.prompt === 'basic' ? 'P^b' : model.prompt === 'ci' ? 'P^s' : '-';
}

/** The sweep point with the highest value of a metric (the first one on ties), if any. */
export function bestPoint(points: readonly SweepPoint[], metric: 'auc' | 'uauc'): SweepPoint | undefined {
  return points.reduce<SweepPoint | undefined>((best, point) => (best === undefined || point[metric] > best[metric] ? point : best), undefined);
}

/** The models of the ablation (Fig. 3): the LM with P^s, whatever filled it. */
export function ablationModels(models: readonly ModelMetrics[]): ModelMetrics[] {
  return models.filter((model) => model.family === 'llm' && model.prompt === 'ci' && model.tuning === undefined);
}
