// Agreement with the self-assessment order O of CAR's order, the untrained and the trained SARE,
// on synthetic rankings (see src/test-fixtures/synthetic-rankings.ts), and the stage's time.
// Usage: npm run bench -- [users=600] [epochs=10]
import { runSareStage } from '../src/run-sare-stage';
import { makeTempDir, writeSyntheticRankings } from '../src/test-fixtures/synthetic-rankings';

const users = Number(process.argv[2] ?? 600);
const epochs = Number(process.argv[3] ?? 10);
const runDir = makeTempDir();
let started = performance.now();
const pairs = await writeSyntheticRankings(runDir, { users, seed: 7, candidates: 10 });
console.log(`synthetic rankings: ${pairs} pairs (K_e = 10) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
started = performance.now();
const report = await runSareStage({ runDir, encoderOptions: { dimensions: 32, vocabSize: 1000 }, epochs, patience: 3, learningRate: 0.003, holdoutFraction: 0.3, seed: 42 });
const seconds = (performance.now() - started) / 1000;
const row = (name: string, value: { ndcg: number; kendallTau: number }) => console.log(`${name.padEnd(16)} NDCG@${report.topK} ${value.ndcg.toFixed(4)}  Kendall tau ${value.kendallTau.toFixed(4)}`);
console.log(`test pairs: ${report.pairs.test} (train ${report.pairs.train}, validation ${report.pairs.validation}); agreement with O:`);
row('CAR order', report.test.retrieval);
row('SARE untrained', report.test.sareUntrained);
row('SARE', report.test.sare);
console.log(`best epoch ${report.training.bestEpoch} of ${report.training.epochs}, ${report.training.secondsPerEpoch.toFixed(2)} s/epoch, stage ${seconds.toFixed(1)} s`);
report.reranker.dispose();
