import type { ModelMetrics, SeedRun } from './evaluation-metrics';

/** Mean and sample standard deviation (n - 1; 0 for one value) of some values. */
export function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance) };
}

/**
 * The figures of one seed's run as kept in metrics.json (`seeds.runs`).
 */
export function seedRunOf(seed: number, models: readonly ModelMetrics[]): SeedRun {
  return { seed, models: models.map((model) => ({ id: model.id, auc: model.auc, uauc: model.uauc, logLoss: model.logLoss })) };
}

/**
 * Adds to each model its mean and standard deviation of AUC and UAUC over the seeds' runs that
 * scored it (`seeds`), when at least two did; other models are returned unchanged.
 */
export function withSeedSpread(models: readonly ModelMetrics[], runs: readonly SeedRun[]): ModelMetrics[] {
  return models.map((model) => {
    const figures = runs.flatMap((run) => run.models.filter((entry) => entry.id === model.id));
    if (figures.length < 2) return model;
    const auc = meanAndSd(figures.map((entry) => entry.auc));
    const uauc = meanAndSd(figures.map((entry) => entry.uauc));
    return { ...model, seeds: { count: figures.length, aucMean: auc.mean, aucSd: auc.sd, uaucMean: uauc.mean, uaucSd: uauc.sd } };
  });
}
