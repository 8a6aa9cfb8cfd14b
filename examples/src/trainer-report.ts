// The evaluation report of the trainer: `score-train eval` writes a run's eval/metrics.json (every
// figure, checked against a strict schema), and `score-train report RUN` prints its results table
// in the form of the paper's Table 2 (`--markdown` for the README's form, `--json` for the
// figures). This program writes a small metrics.json by hand, as an outside tool could, and runs
// the real `score-train report` on it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const baseline = { family: 'baseline', prompt: 'none', uaucUsers: 30, uaucSkipped: 4, logLoss: 0.67 };
const metrics = {
  formatVersion: 1,
  dataset: {
    name: 'synthetic',
    domain: 'movies',
    statistics: {
      users: 34, items: 90, rows: { train: 500, valid: 150, test: 140 },
      positiveRate: { train: 0.5, valid: 0.5, test: 0.5, all: 0.5 }, duplicatesRemoved: 0,
      timeRange: { train: [0, 10], valid: [11, 15], test: [16, 20] },
    },
  },
  split: 'test',
  rows: 140,
  models: [
    { id: 'sasrec', label: 'SASRec', ...baseline, auc: 0.64, uauc: 0.61 },
    { id: 'llm-basic', label: 'LM with P^b', family: 'llm', prompt: 'basic', auc: 0.66, uauc: 0.6, uaucUsers: 30, uaucSkipped: 4, logLoss: 0.65 },
    { id: 'score', label: 'SCoRe', family: 'llm', prompt: 'ci', retriever: 'car', reranker: 'sare', auc: 0.7, uauc: 0.66, uaucUsers: 30, uaucSkipped: 4, logLoss: 0.62 },
  ],
  sweeps: { retrieved: [], kept: [{ k: 1, auc: 0.69, uauc: 0.65 }, { k: 2, auc: 0.7, uauc: 0.66 }] },
  stages: [{ name: 'crm', seconds: 3.2, status: 'done' }, { name: 'rec', seconds: 41, status: 'done' }],
  notes: ['Assessments by the metadata fallback, not an LLM.'],
  // The paper's figures shown beside yours as reference columns: none here (an empty table2).
  paper: { source: 'Xin et al., Table 2 and Fig. 4', table2: [], sweepPeaks: { retrievedMl1m: 15, keptMl1m: 2, keptGames: 1 } },
  generatedAt: '2026-11-27T06:00:00.000Z',
  configHash: '0'.repeat(64),
};

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-report-'));
fs.mkdirSync(path.join(runDir, 'eval'));
fs.writeFileSync(path.join(runDir, 'eval', 'metrics.json'), JSON.stringify(metrics, null, 2));

// `npx score-train report RUN` (node_modules/.bin/score-train).
const bin = fileURLToPath(new URL('bin/score-train.js', import.meta.resolve('@score/trainer/package.json')));
const report = spawnSync(process.execPath, [bin, 'report', runDir], { encoding: 'utf8' });
if (report.status !== 0) throw new Error(`score-train report failed: ${report.stderr}`);
const table = report.stdout.split('\n');
console.log(table[0]); // Model           AUC    UAUC  Users  Skipped  Log loss
console.log(table[2]); // SASRec       0.6400  0.6100     30        4    0.6700
console.log(table[3]); // LM with P^b  0.6600  0.6000     30        4    0.6500
console.log(table[4]); // SCoRe        0.7000  0.6600     30        4    0.6200
console.log(table.slice(5).join('\n').trim());
fs.rmSync(runDir, { recursive: true, force: true });
