import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, setFlags, tempDir } from '../test-helpers';

/**
 * A world where similar users know something the titles do not: 300 users with steady tastes
 * (little drift, few switches, low rating noise) and a strong per-cluster liking of each item
 * beyond its genres (`clusterItemTaste`), so whether users like the target user liked an item
 * carries signal that the user's own history lacks.
 */
const WORLD: readonly string[] = [
  'data.source.users=300',
  'data.source.items=200',
  'data.source.clusterItemTaste=1.5',
  'data.source.ratingNoise=0.3',
  'data.source.sessionFocus=0.3',
  'data.source.switchShare=0.1',
  'data.source.drift=0.2',
  'data.source.exploration=0.1',
];

/** The demo's pipeline, scaled down to under two minutes on 2 cores: P^b and full SCoRe only. */
const PIPELINE: readonly string[] = [
  'crm.epochs=4',
  'crm.baseline=false',
  'car.epochs=1',
  'assess.sample=300',
  'sare.epochs=1',
  'rec.variants=[basic,score]',
  'rec.pretrainEpochs=2',
  // The setting these checks were measured with. The demo pretrains on item texts only with three
  // warm-up epochs; at 1,500 warm-up rows that start stayed at the base rate in a trial run.
  'rec.pretrainBehaviourTexts=true',
  'rec.warmupEpochs=1',
  'rec.trainRows=1500',
  'rec.warmupRows=1500',
  'rec.validRows=300',
  'rec.epochs=2',
  'rec.maxBehaviourItems=20',
  'eval.maxRows=2000',
  'eval.retrievedSweep=[10]',
  'eval.keptSweep=[2]',
];

interface ModelMetrics {
  readonly id: string;
  readonly auc: number;
  readonly uauc: number;
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
  it('delivers collaborative information into P^s and tunes both LMs off the base rate', async () => {
    const run = path.join(tempDir(), 'ci');
    await runCli(['demo', '--run-dir', run, ...setFlags([...WORLD, ...PIPELINE]), '--quiet']);
    // CAR + SARE put the target among the similar users' liked titles far more often when the user
    // liked it (measured: 40% of positive valid rows, 13% of negative ones).
    const valid = targetInCi(path.join(run, 'rec', 'prompts', 'score-k10-s2', 'valid.jsonl'));
    expect(valid.positives).toBeGreaterThan(2 * valid.negatives);
    // Both tuned LMs learned (a tuning stuck at the base rate scores about 0.5; measured 0.593 for
    // P^b and 0.598 for P^s on the 1,941 test rows). Whether P^s beats P^b here is within the
    // run-to-run noise (docs/method.md, "Reading the demo's numbers"), so it is not asserted.
    const metrics = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8')) as { rows: number; models: ModelMetrics[] };
    expect(metrics.rows).toBeGreaterThan(1500);
    for (const id of ['llm-basic', 'score']) expect(metrics.models.find((model) => model.id === id)!.auc).toBeGreaterThan(0.56);
  }, 600_000);
});
