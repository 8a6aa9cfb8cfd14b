import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import type { StageContext } from '../pipeline/stage';
import { STAGE_DEFINITIONS } from '../pipeline/stage-definitions';
import { retrainedSweepSpecs, sweepModelDir } from './rec';

function contextWith(values: Record<string, unknown>): StageContext {
  const { config } = loadConfig({ values });
  return { config } as StageContext;
}

describe('eval.retrainSweeps', () => {
  it('lists every full-SCoRe sweep point but the main one when set, none otherwise', () => {
    const eval_ = { retrievedSweep: [5, 10, 15], keptSweep: [1, 2, 3] };
    const on = retrainedSweepSpecs(contextWith({ car: { retrieved: 10 }, sare: { kept: 2 }, eval: { ...eval_, retrainSweeps: true } }));
    expect(on).toEqual([
      { variant: 'score', retrieved: 5, kept: 2 },
      { variant: 'score', retrieved: 15, kept: 2 },
      { variant: 'score', retrieved: 10, kept: 1 },
      { variant: 'score', retrieved: 10, kept: 3 },
    ]);
    expect(sweepModelDir('/run/rec', on[1]!)).toBe(path.join('/run/rec', 'models', 'score-k15-s2'));
    expect(retrainedSweepSpecs(contextWith({ eval: { ...eval_, retrainSweeps: false } }))).toEqual([]);
    expect(retrainedSweepSpecs(contextWith({ eval: { ...eval_, retrainSweeps: true }, rec: { variants: ['basic', 'car'] } }))).toEqual([]);
    expect(retrainedSweepSpecs(contextWith({ eval: { ...eval_, retrainSweeps: true }, rec: { model: 'vllm:#some-model' } }))).toEqual([]);
  });

  it('reruns the rec stage only when sweeps are retrained (the input hash of other runs is unchanged)', () => {
    const off = loadConfig({ values: {} }).config;
    const on = loadConfig({ values: { eval: { retrainSweeps: true } } }).config;
    expect(STAGE_DEFINITIONS.rec.inputs(off).config).not.toHaveProperty('retrainSweeps');
    expect(STAGE_DEFINITIONS.rec.inputs(on).config).toMatchObject({ retrainSweeps: { retrieved: [5, 10, 15, 20], kept: [1, 2, 3, 4] } });
  });
});
