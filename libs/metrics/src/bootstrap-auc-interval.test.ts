import { describe, expect, it } from 'vitest';
import { auc } from './auc';
import { bootstrapAucInterval } from './bootstrap-auc-interval';
import { createRandom } from './random';

function noisyData(n: number, seed: number): { labels: number[]; scores: number[] } {
  const random = createRandom(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const label = random() < 0.5 ? 1 : 0;
    labels.push(label);
    scores.push(Math.round((0.25 * label + random()) * 20) / 20);
  }
  return { labels, scores };
}

/** Reference: the same draws as the implementation, each resample materialised and scored by auc(). */
function referenceInterval(labels: number[], scores: number[], samples: number, confidence: number, seed: number) {
  const random = createRandom(seed);
  const values: number[] = [];
  for (let b = 0; b < samples; b += 1) {
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < labels.length; i += 1) {
      const row = Math.floor(random() * labels.length);
      y.push(labels[row]);
      s.push(scores[row]);
    }
    const value = auc(y, s);
    if (!Number.isNaN(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => {
    const h = (values.length - 1) * q;
    const low = Math.floor(h);
    return values[low] + (h - low) * (values[Math.min(low + 1, values.length - 1)] - values[low]);
  };
  return { lower: at((1 - confidence) / 2), upper: at((1 + confidence) / 2), samples: values.length };
}

describe('bootstrapAucInterval', () => {
  it('equals a materialised bootstrap with the same draws', () => {
    const { labels, scores } = noisyData(60, 1);
    const result = bootstrapAucInterval(labels, scores, { samples: 200, confidence: 0.9, seed: 5 });
    const reference = referenceInterval(labels, scores, 200, 0.9, 5);
    expect(result.auc).toBe(auc(labels, scores));
    expect(result.samples).toBe(reference.samples);
    expect(Math.abs(result.lower - reference.lower)).toBeLessThan(1e-12);
    expect(Math.abs(result.upper - reference.upper)).toBeLessThan(1e-12);
  });

  it('is deterministic by seed, contains the AUC and narrows with lower confidence', () => {
    const { labels, scores } = noisyData(400, 2);
    const wide = bootstrapAucInterval(labels, scores);
    expect(bootstrapAucInterval(labels, scores)).toEqual(wide);
    expect(bootstrapAucInterval(labels, scores, { seed: 1 })).not.toEqual(wide);
    expect(wide.samples).toBe(1000);
    expect(wide.lower).toBeLessThan(wide.auc);
    expect(wide.upper).toBeGreaterThan(wide.auc);
    // The standard error of an AUC near 0.7 over 400 rows is about 0.025: the 95% interval spans ~0.1.
    expect(wide.upper - wide.lower).toBeGreaterThan(0.05);
    expect(wide.upper - wide.lower).toBeLessThan(0.2);
    const narrow = bootstrapAucInterval(labels, scores, { confidence: 0.5 });
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
  });

  it('returns NaN for a single class and validates its options', () => {
    expect(bootstrapAucInterval([1, 1], [0.2, 0.3])).toEqual({ auc: Number.NaN, lower: Number.NaN, upper: Number.NaN, samples: 0 });
    expect(() => bootstrapAucInterval([1, 0], [0.2, 0.3], { samples: 0 })).toThrow('Invalid "samples": must be an integer of at least 1, got 0.');
    expect(() => bootstrapAucInterval([1, 0], [0.2, 0.3], { confidence: 1 })).toThrow(
      'Invalid "confidence": must be a number in (0, 1), got 1.',
    );
  });
});
