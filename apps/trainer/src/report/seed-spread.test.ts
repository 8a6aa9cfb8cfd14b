import { describe, expect, it } from 'vitest';
import { reportFixture } from './report-fixture';
import { meanAndSd, seedRunOf, withSeedSpread } from './seed-spread';

describe('withSeedSpread', () => {
  it('gives each model the mean and sample standard deviation over the seeds that scored it', () => {
    expect(meanAndSd([0.64, 0.65, 0.66])).toEqual({ mean: expect.closeTo(0.65, 12), sd: expect.closeTo(0.01, 12) });
    expect(meanAndSd([0.7])).toEqual({ mean: 0.7, sd: 0 });
    const models = reportFixture().models;
    const shifted = (delta: number) => seedRunOf(1, models.map((model) => ({ ...model, auc: model.auc + delta, uauc: model.uauc - delta })));
    const runs = [seedRunOf(0, models), shifted(0.02), { seed: 2, models: shifted(0.04).models.filter((model) => model.id === 'score') }];
    const spread = withSeedSpread(models, runs);
    const score = spread.find((model) => model.id === 'score')!;
    expect(score.seeds).toEqual({ count: 3, aucMean: expect.closeTo(0.75, 12), aucSd: expect.closeTo(0.02, 12), uaucMean: expect.closeTo(0.69, 12), uaucSd: expect.closeTo(0.02, 12) });
    const mf = spread.find((model) => model.id === 'mf')!;
    expect(mf.seeds).toEqual({ count: 2, aucMean: expect.closeTo(0.61, 12), aucSd: expect.closeTo(0.02 / Math.SQRT2, 12), uaucMean: expect.closeTo(0.57, 12), uaucSd: expect.closeTo(0.02 / Math.SQRT2, 12) });
    expect(withSeedSpread(models, [seedRunOf(0, models)])).toEqual(models);
  });
});
