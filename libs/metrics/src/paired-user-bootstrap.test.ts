import { describe, expect, it } from 'vitest';
import { auc } from './auc';
import { pairedUserBootstrap } from './paired-user-bootstrap';
import { createRandom } from './random';
import { uauc } from './uauc';

/** A small data set: users with 1-7 rows, three models of increasing signal, scores rounded so ties occur. */
function smallCase(users: number, seed: number) {
  const random = createRandom(seed);
  const userIds: string[] = [];
  const labels: number[] = [];
  const weak: number[] = [];
  const strong: number[] = [];
  const noisy: number[] = [];
  for (let u = 0; u < users; u += 1) {
    const rows = 1 + Math.floor(random() * 7);
    for (let r = 0; r < rows; r += 1) {
      const label = random() < 0.45 ? 1 : 0;
      userIds.push(`u${u}`);
      labels.push(label);
      const noise = random();
      weak.push(Math.round((0.2 * label + noise) * 10) / 10);
      strong.push(Math.round((0.8 * label + noise) * 10) / 10);
      noisy.push(Math.round((0.8 * label + noise + random() - 0.5) * 10) / 10);
    }
  }
  return { userIds, labels, models: [{ id: 'weak', scores: weak }, { id: 'strong', scores: strong }, { id: 'noisy', scores: noisy }] };
}

function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  return sorted[low] + (h - low) * (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]);
}

function interval(values: number[], confidence: number) {
  const defined = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return { lower: quantile(defined, (1 - confidence) / 2), upper: quantile(defined, (1 + confidence) / 2), samples: defined.length };
}

/**
 * Brute force with the same draws: every resample materialised row by row (each draw of a user a
 * distinct user "k:u"), then scored by auc() and uauc() from scratch.
 */
function bruteForce(data: ReturnType<typeof smallCase>, samples: number, confidence: number, seed: number) {
  const users = [...new Set(data.userIds)];
  const rowsOf = new Map(users.map((user) => [user, data.userIds.flatMap((id, row) => (id === user ? [row] : []))]));
  const random = createRandom(seed);
  const perModel = data.models.map(() => ({ auc: [] as number[], uauc: [] as number[] }));
  for (let b = 0; b < samples; b += 1) {
    const drawn: string[] = [];
    for (let i = 0; i < users.length; i += 1) drawn.push(users[Math.floor(random() * users.length)]);
    const ids: string[] = [];
    const labels: number[] = [];
    const rows: number[] = [];
    drawn.forEach((user, k) => {
      for (const row of rowsOf.get(user)!) {
        ids.push(`${k}:${user}`);
        labels.push(data.labels[row]);
        rows.push(row);
      }
    });
    data.models.forEach((model, m) => {
      const scores = rows.map((row) => model.scores[row]);
      perModel[m].auc.push(auc(labels, scores));
      perModel[m].uauc.push(uauc(ids, labels, scores).value);
    });
  }
  return perModel;
}

describe('pairedUserBootstrap', () => {
  it('equals a brute-force bootstrap over materialised resamples with the same seed', () => {
    const data = smallCase(14, 3);
    const samples = 300;
    const confidence = 0.9;
    const result = pairedUserBootstrap({ ...data, differences: [['strong', 'weak'], ['noisy', 'strong']] }, { samples, confidence, seed: 11 });
    const reference = bruteForce(data, samples, confidence, 11);
    expect(result.users).toBe(14);
    expect(result.rows).toBe(data.labels.length);
    data.models.forEach((model, m) => {
      const got = result.models[m];
      expect(got.id).toBe(model.id);
      expect(got.auc.value).toBeCloseTo(auc(data.labels, model.scores), 12);
      expect(got.uauc.value).toBeCloseTo(uauc(data.userIds, data.labels, model.scores).value, 12);
      for (const metric of ['auc', 'uauc'] as const) {
        const expected = interval(reference[m][metric], confidence);
        expect(got[metric].samples).toBe(expected.samples);
        expect(Math.abs(got[metric].lower - expected.lower)).toBeLessThan(1e-12);
        expect(Math.abs(got[metric].upper - expected.upper)).toBeLessThan(1e-12);
      }
    });
    const index = (id: string) => data.models.findIndex((model) => model.id === id);
    for (const [position, [a, b]] of [['strong', 'weak'], ['noisy', 'strong']].entries()) {
      const got = result.differences[position];
      expect([got.model, got.reference]).toEqual([a, b]);
      for (const metric of ['auc', 'uauc'] as const) {
        const paired = reference[index(a)][metric].map((value, i) => value - reference[index(b)][metric][i]);
        const expected = interval(paired, confidence);
        expect(got[metric].value).toBeCloseTo(result.models[index(a)][metric].value - result.models[index(b)][metric].value, 12);
        expect(got[metric].samples).toBe(expected.samples);
        expect(Math.abs(got[metric].lower - expected.lower)).toBeLessThan(1e-12);
        expect(Math.abs(got[metric].upper - expected.upper)).toBeLessThan(1e-12);
      }
    }
  });

  it('is deterministic by seed; a clear gain excludes zero, a model against itself gives exactly zero', () => {
    const data = smallCase(150, 4);
    const input = { ...data, models: [...data.models, { id: 'copy', scores: data.models[0].scores }], differences: [['strong', 'weak'], ['copy', 'weak']] as const };
    const result = pairedUserBootstrap(input);
    expect(pairedUserBootstrap(input)).toEqual(result);
    expect(pairedUserBootstrap(input, { seed: 1 })).not.toEqual(result);
    expect(result.samples).toBe(1000);
    for (const model of result.models) {
      expect(model.auc.lower).toBeLessThan(model.auc.value);
      expect(model.auc.upper).toBeGreaterThan(model.auc.value);
      expect(model.uauc.lower).toBeLessThan(model.uauc.value);
      expect(model.uauc.upper).toBeGreaterThan(model.uauc.value);
    }
    const [gain, same] = result.differences;
    expect(gain.auc.value).toBeGreaterThan(0.15);
    expect(gain.auc.lower).toBeGreaterThan(0);
    expect(gain.uauc.lower).toBeGreaterThan(0);
    expect(same.auc).toEqual({ value: 0, lower: 0, upper: 0, samples: 1000 });
    // Pairing: the difference's interval is narrower than either model's own interval.
    const weak = result.models[0].auc;
    expect(gain.auc.upper - gain.auc.lower).toBeLessThan(weak.upper - weak.lower);
  });

  it('validates its input', () => {
    const data = smallCase(5, 5);
    expect(() => pairedUserBootstrap({ ...data, models: [] })).toThrow('Invalid "models"');
    expect(() => pairedUserBootstrap({ ...data, differences: [['strong', 'missing']] })).toThrow(
      'names the model "missing", which is not among the models (weak, strong, noisy).',
    );
    expect(() => pairedUserBootstrap({ ...data, models: [data.models[0], data.models[0]] })).toThrow('repeats the id "weak"');
    expect(() => pairedUserBootstrap({ ...data, userIds: data.userIds.slice(1) })).toThrow('Invalid "userIds"');
    expect(() => pairedUserBootstrap(data, { samples: 0 })).toThrow('Invalid "samples": must be an integer of at least 1, got 0.');
    // Malformed entries are named too (not a TypeError from inside).
    expect(() => pairedUserBootstrap({ ...data, models: [data.models[0], null as never] })).toThrow(
      'Invalid "models[1]": must be an object { id, scores } with a string id, got null.',
    );
    expect(() => pairedUserBootstrap({ ...data, differences: 'strong-weak' as never })).toThrow(
      'Invalid "differences": must be an array of [model, reference] id pairs, got "strong-weak".',
    );
    expect(() => pairedUserBootstrap({ ...data, differences: [['strong']] as never })).toThrow(
      'Invalid "differences[0]": must be a [model, reference] pair of model ids, got an array of 1.',
    );
    expect(() => pairedUserBootstrap({ ...data, models: [{ id: 'x', scores: [0.5] }] })).toThrow('Invalid "models[0].scores": has 1 entries but "labels" has');
  });
});
