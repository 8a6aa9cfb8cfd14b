import type { EvaluationMetrics, ModelMetrics } from './evaluation-metrics';
import { MODEL_IDS, PAPER_REFERENCE } from './paper-reference';

function model(id: string, label: string, fields: Partial<ModelMetrics> & Pick<ModelMetrics, 'auc' | 'uauc'>): ModelMetrics {
  return { id, label, family: 'llm', prompt: 'ci', uaucUsers: 40, uaucSkipped: 2, logLoss: 0.61, ...fields };
}

/**
 * A small hand-made metrics object for the report tests: eight models, both sweeps, seven stages,
 * 180 of 400 test rows scored; two LM rows carry paired differences (SCoRe - P^b: AUC real, UAUC
 * within noise; CAR without SARE - P^b real in both, - SCoRe within noise in both). On it, full SCoRe beats every other model, the lowest LLM UAUC (0.6500) is below SASRec's
 * (0.6600), the K_e AUC sweep peaks at 10 (not the paper's 15) and the K_s sweeps peak at 2.
 */
export function reportFixture(): EvaluationMetrics {
  return {
    formatVersion: 1,
    dataset: {
      name: 'tiny & synthetic',
      domain: 'movies',
      statistics: {
        users: 42,
        items: 120,
        rows: { train: 600, valid: 200, test: 180 },
        positiveRate: { train: 0.55, valid: 0.5, test: 0.5111, all: 0.5327 },
        duplicatesRemoved: 3,
        timeRange: { train: [0, 100], valid: [101, 150], test: [151, 200] },
      },
    },
    split: 'test',
    rows: 180,
    splitRows: 400,
    bootstrap: { unit: 'user', paired: true, samples: 1000, confidence: 0.95, seed: 42, users: 42 },
    models: [
      model(MODEL_IDS.popularity, 'Item popularity', { family: 'baseline', prompt: 'none', auc: 0.55, uauc: 0.52, logLoss: 0.69 }),
      model(MODEL_IDS.mf, 'MF', { family: 'baseline', prompt: 'none', auc: 0.6, uauc: 0.58, logLoss: 0.68 }),
      model(MODEL_IDS.sasrec, 'SASRec', { family: 'baseline', prompt: 'none', auc: 0.68, uauc: 0.66, logLoss: 0.65 }),
      model(MODEL_IDS.basicPrompt, 'LM with P^b', { prompt: 'basic', auc: 0.7, uauc: 0.65 }),
      model(MODEL_IDS.scoreCf, 'SCoRe-cf', { retriever: 'cf', reranker: 'none', auc: 0.71, uauc: 0.68 }),
      model(MODEL_IDS.scoreBase, 'SCoRe-base', { retriever: 'base', reranker: 'sare', auc: 0.705, uauc: 0.69 }),
      model(MODEL_IDS.scoreNoSare, 'CAR without SARE', {
        retriever: 'car',
        reranker: 'none',
        auc: 0.725,
        uauc: 0.7,
        differences: [
          { reference: MODEL_IDS.basicPrompt, auc: 0.025, aucInterval: { lower: 0.002, upper: 0.047 }, uauc: 0.05, uaucInterval: { lower: 0.011, upper: 0.09 } },
          { reference: MODEL_IDS.score, auc: -0.005, aucInterval: { lower: -0.021, upper: 0.011 }, uauc: -0.01, uaucInterval: { lower: -0.032, upper: 0.013 } },
        ],
      }),
      model(MODEL_IDS.score, 'SCoRe', {
        retriever: 'car',
        reranker: 'sare',
        auc: 0.73,
        uauc: 0.71,
        aucInterval: { lower: 0.71, upper: 0.75 },
        uaucInterval: { lower: 0.68, upper: 0.74 },
        differences: [{ reference: MODEL_IDS.basicPrompt, auc: 0.03, aucInterval: { lower: 0.012, upper: 0.049 }, uauc: 0.06, uaucInterval: { lower: -0.004, upper: 0.121 } }],
      }),
    ],
    sweeps: {
      retrieved: [
        { k: 5, auc: 0.71, uauc: 0.69 },
        { k: 10, auc: 0.73, uauc: 0.71 },
        { k: 15, auc: 0.725, uauc: 0.715 },
        { k: 20, auc: 0.72, uauc: 0.7 },
      ],
      kept: [
        { k: 1, auc: 0.72, uauc: 0.7 },
        { k: 2, auc: 0.73, uauc: 0.71 },
        { k: 3, auc: 0.728, uauc: 0.705 },
        { k: 4, auc: 0.72, uauc: 0.7 },
      ],
    },
    stages: [
      { name: 'prepare', seconds: 0.42, status: 'skipped' },
      { name: 'crm', seconds: 12.3, status: 'done' },
      { name: 'car', seconds: 65, status: 'done' },
      { name: 'assess', seconds: 4.5, status: 'done' },
      { name: 'sare', seconds: 30, status: 'done' },
      { name: 'rec', seconds: 3700, status: 'done' },
      { name: 'eval', seconds: 8, status: 'done' },
    ],
    notes: ['Assessments by the metadata fallback, not an LLM.', 'Labels <b>bold</b> & "quoted" stay text.'],
    paper: PAPER_REFERENCE,
    generatedAt: '2026-11-27T06:00:00.000Z',
    configHash: 'a'.repeat(64),
  };
}
