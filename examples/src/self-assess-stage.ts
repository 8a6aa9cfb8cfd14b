// The assess stage of @score/self-assess in a run folder (what `score-train assess` runs): it
// samples training pairs, writes their assessments to assess/assessments.jsonl (resumably: a
// rerun reuses every finished one), retrieves K_e candidate users per pair with the injected
// retriever (only behaviour from before the pair's time), orders them by cosine with the
// assessment (method.md, Eq. 8-9) and writes assess/rankings.jsonl and assess/report.json. Here
// the assessor is the metadata fallback and the retriever and embedder are built on a pooled
// encoder of @score/text-encoders; in the pipeline they are an LLM, CAR and TxtEmb.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatasetRetriever } from '@score/car-retriever';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { createMetadataAssessor, runAssessStage } from '@score/self-assess';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assess-stage-'));
const dataset = await generateSyntheticDataset({ users: 30, items: 60, seed: 4, minInteractionsPerUser: 8, maxInteractionsPerUser: 20 });
await saveDataset(dataset, runDir);

const tokenizer = trainTokenizer({ texts: [...dataset.items.values()].map((item) => item.title), vocabSize: 300, kind: 'wordpiece' });
const embedder = await createPooledEncoder({ tokenizer, dimensions: 32, seed: 1 });
const { retriever, dispose } = await createDatasetRetriever({ dataset, embedder, dir: path.join(runDir, 'index'), corpus: { maxItems: 20 } });
const assessor = createMetadataAssessor({ dataset });

// retriever: CAR, any UserRetriever; embedder: the fixed TxtEmb, any TextEmbeddingModel.
const report = await runAssessStage({ runDir, assessor, retriever, embedder, sample: 12, candidates: 5 });
console.log(report.assessor.source, report.assessor.metadataFallback, report.generated, report.reused); // metadata true 12 0
console.log(fs.readdirSync(path.join(runDir, 'assess')).sort().join(' ')); // assessments.jsonl rankings.jsonl report.json
const again = await runAssessStage({ runDir, assessor, retriever, embedder, sample: 12, candidates: 5 });
console.log(again.generated, again.reused); // 0 12
await dispose();
embedder.dispose();
fs.rmSync(runDir, { recursive: true, force: true });
