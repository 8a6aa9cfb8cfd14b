import { describe, expect, it } from 'vitest';
import { compareWithPaper } from './compare-orderings';
import { describeFindings } from './finding-text';
import { MODEL_IDS } from './paper-reference';
import { reportFixture } from './report-fixture';

function find(findings: ReturnType<typeof compareWithPaper>, claimStart: string, metric: 'auc' | 'uauc') {
  const finding = findings.find((entry) => entry.claim.startsWith(claimStart) && entry.metric === metric);
  if (finding === undefined) throw new Error(`no finding for ${claimStart}`);
  return finding;
}

describe('compareWithPaper', () => {
  it('checks nine claims per metric on a complete run', () => {
    const findings = compareWithPaper(reportFixture());
    expect(findings).toHaveLength(18);
    expect(findings.every((finding) => finding.checked)).toBe(true);
  });

  it('reports a holding ordering with both numbers and the paper verdict', () => {
    const finding = find(compareWithPaper(reportFixture()), 'Full SCoRe > the LM with P^b', 'auc');
    expect(finding).toMatchObject({ source: 'Table 2', holds: true, paperHolds: true });
    expect(finding.detail).toBe('SCoRe 0.7300 > LM with P^b 0.7000; paired difference 0.0300 [0.0120, 0.0490], real');
    expect(finding.paperDetail).toBe('SCoRe 0.7367 > TALLRec (LLM, no CI) 0.7242');
  });

  it('says where LLMs do not beat every baseline, and that the paper itself fails on UAUC', () => {
    const findings = compareWithPaper(reportFixture());
    expect(find(findings, 'Every LLM variant', 'auc').holds).toBe(true);
    const uauc = find(findings, 'Every LLM variant', 'uauc');
    expect(uauc.holds).toBe(false);
    expect(uauc.paperHolds).toBe(false);
    expect(uauc.detail).toBe('lowest LM with P^b 0.6500 <= highest SASRec 0.6600');
    expect(uauc.paperDetail).toBe('lowest TALLRec (LLM, no CI) 0.6721 <= highest SASRec 0.6794');
    const popularity = find(findings, 'MF > item popularity', 'auc');
    expect(popularity).toMatchObject({ source: 'sanity check', holds: true });
    expect(popularity.paperHolds).toBeUndefined();
  });

  it('checks the Fig. 4 peaks', () => {
    const findings = compareWithPaper(reportFixture());
    const retrievedAuc = find(findings, 'K_e', 'auc');
    expect(retrievedAuc.holds).toBe(false);
    expect(retrievedAuc.detail).toBe('best at 10: 0.7300 > 0.7250 at 15');
    expect(find(findings, 'K_e', 'uauc').holds).toBe(true);
    expect(find(findings, 'K_s', 'auc')).toMatchObject({ holds: true, detail: 'best at 2: 0.7300' });
  });

  it('fails an ablation claim when a variant beats full SCoRe, and treats ties as not holding', () => {
    const metrics = reportFixture();
    const models = metrics.models.map((model) =>
      model.id === MODEL_IDS.scoreNoSare ? { ...model, auc: 0.74 } : model.id === MODEL_IDS.scoreCf ? { ...model, uauc: 0.71 } : model,
    );
    const findings = compareWithPaper({ ...metrics, models });
    expect(find(findings, 'Full SCoRe > CAR without SARE', 'auc')).toMatchObject({ holds: false, detail: 'SCoRe 0.7300 <= CAR without SARE 0.7400' });
    expect(find(findings, 'Full SCoRe > SCoRe-cf', 'uauc').holds).toBe(false);
    expect(find(findings, 'Full SCoRe > SCoRe-base', 'auc').holds).toBe(true);
  });

  it('marks claims as not checked when models or sweep points are missing', () => {
    const metrics = reportFixture();
    const findings = compareWithPaper({
      ...metrics,
      models: metrics.models.filter((model) => model.id !== MODEL_IDS.mf),
      sweeps: { retrieved: [{ k: 5, auc: 0.7, uauc: 0.7 }], kept: [] },
    });
    const sasrecMf = find(findings, 'SASRec > MF', 'auc');
    expect(sasrecMf).toMatchObject({ checked: false, holds: false, detail: 'not measured: this run has no model "mf"', paperHolds: true });
    expect(find(findings, 'K_e', 'auc').detail).toBe('not measured: the sweep covers 5 only');
    expect(find(findings, 'K_s', 'auc').detail).toBe('not measured: no sweep was run');
    expect(describeFindings(findings)).toMatch(/^\d+ of 10 checked orderings hold on this run; 8 could not be checked/);
  });

  it('uses the Games K_s peak for a games dataset and skips the K_e claim', () => {
    const metrics = reportFixture();
    const findings = compareWithPaper({ ...metrics, dataset: { ...metrics.dataset, domain: 'games' } });
    expect(findings).toHaveLength(16);
    expect(find(findings, 'K_s', 'auc')).toMatchObject({ claim: 'K_s (users kept) peaks at 1 (paper, Games) (AUC)', holds: false });
  });
});
