import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, setFlags, tempDir } from '../test-helpers';

/**
 * The demo's pipeline on the demo's data, cut to P^b and full SCoRe, fewer CRM, CAR and SARE epochs
 * and smaller assessment samples and sweeps (about 5 minutes on 2 cores). The recommender LM
 * settings are the demo's (3,000 tuning rows, three warm-up epochs).
 */
const PIPELINE: readonly string[] = [
  'crm.epochs=4',
  'crm.baseline=false',
  'car.epochs=1',
  'assess.sample=300',
  'sare.epochs=1',
  'rec.variants=[basic,score]',
  'eval.maxRows=1000',
  'eval.retrievedSweep=[10]',
  'eval.keptSweep=[2]',
];

interface ModelMetrics {
  readonly id: string;
  readonly auc: number;
  readonly uauc: number;
  readonly aucInterval?: { lower: number; upper: number };
  readonly differences?: readonly { reference: string; uauc: number; uaucInterval: { lower: number; upper: number } }[];
}

/** Share of prompts whose similar users' lists hold the target title, for positive and negative rows. */
function targetInCi(file: string): { positives: number; negatives: number } {
  const counts = { 1: { rows: 0, hits: 0 }, 0: { rows: 0, hits: 0 } };
  for (const line of fs.readFileSync(file, 'utf8').trim().split('\n')) {
    const record = JSON.parse(line) as { label: 0 | 1; prompt: string };
    const target = /movie titled (".*")\. Respond/.exec(record.prompt)![1]!;
    const ci = /have given high ratings to the movies: (.*)\. Based on this information/.exec(record.prompt)?.[1] ?? '';
    counts[record.label].rows += 1;
    if (ci.includes(target)) counts[record.label].hits += 1;
  }
  return { positives: counts[1].hits / counts[1].rows, negatives: counts[0].hits / counts[0].rows };
}

describe('the seeded end-to-end pipeline (smaller than the demo)', () => {
  it('delivers collaborative information into P^s, tunes both LMs, and P^s beats P^b in UAUC', async () => {
    const run = path.join(tempDir(), 'ci');
    await runCli(['demo', '--run-dir', run, ...setFlags(PIPELINE), '--quiet']);
    // CAR + SARE put the target among the similar users' liked titles more often when the user
    // liked it (measured: 22.7% of positive valid rows, 10.3% of negative ones).
    const valid = targetInCi(path.join(run, 'rec', 'prompts', 'score-k10-s2', 'valid.jsonl'));
    expect(valid.positives).toBeGreaterThan(1.5 * valid.negatives);
    const metrics = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8')) as { rows: number; models: ModelMetrics[] };
    expect(metrics.rows).toBe(1000);
    const basic = metrics.models.find((model) => model.id === 'llm-basic')!;
    const score = metrics.models.find((model) => model.id === 'score')!;
    // Both tuned LMs learned (a tuning stuck at the base rate scores about 0.5; measured 0.6456 for
    // P^b and 0.6462 for P^s).
    expect(basic.auc).toBeGreaterThan(0.6);
    expect(score.auc).toBeGreaterThan(0.6);
    // The paper's gain of P^s over P^b shows in UAUC (measured 0.6709 against 0.6486; the demo:
    // 0.6825 against 0.6486). In AUC the two are within run-to-run noise here (0.6462 against
    // 0.6456), so AUC is not asserted (docs/method.md, "Reading the demo's numbers").
    expect(score.uauc - basic.uauc).toBeGreaterThan(0.01);
    // The paired bootstrap over users gives every row an interval and P^s - P^b its own interval
    // (whether that excludes zero is reported, not asserted).
    expect(score.aucInterval!.lower).toBeLessThan(score.auc);
    expect(score.aucInterval!.upper).toBeGreaterThan(score.auc);
    const gain = score.differences!.find((difference) => difference.reference === 'llm-basic')!;
    expect(gain.uauc).toBeCloseTo(score.uauc - basic.uauc, 12);
    expect(gain.uaucInterval.lower).toBeLessThan(gain.uauc);
    expect(gain.uaucInterval.upper).toBeGreaterThan(gain.uauc);
  }, 1_200_000);
});
