// Self-assessment with @score/self-assess, without an LLM: the metadata assessor writes the
// assessment r_t of sampled (user, item) pairs (method.md, Eq. 7) from the target's genres and the
// items co-liked with it, appends them to a JSON-lines file (a rerun reuses every finished one),
// and `rankByAssessment` orders candidate users by cosine between the assessment and their
// behaviour texts (Eq. 8-9).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateSyntheticDataset } from '@score/data';
import { createMetadataAssessor, generateAssessments, rankByAssessment, sampleAssessmentPairs } from '@score/self-assess';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';

const dataset = await generateSyntheticDataset({ users: 20, items: 40, seed: 1 });
// With an LLM: createLlmAssessor({ model: createOpenAICompatibleModel({ baseURL, model }), domain: 'movies' })
const assessor = createMetadataAssessor({ dataset });
const pairs = sampleAssessmentPairs(dataset, { sample: 5, seed: 1 });
const outFile = join(mkdtempSync(join(tmpdir(), 'assess-')), 'assessments.jsonl');

const first = await generateAssessments({ pairs, assessor, outFile, concurrency: 4 });
console.log(first.generated, first.source); // 5 metadata
const rerun = await generateAssessments({ pairs, assessor, outFile });
console.log(rerun.generated, rerun.reused); // 0 5

// Eq. 8-9: order candidate users by cosine between the assessment and their behaviour texts.
const tokenizer = trainTokenizer({ texts: [...dataset.items.values()].map((item) => item.title), vocabSize: 300, kind: 'wordpiece' });
const embedder = await createPooledEncoder({ tokenizer, embeddingSize: 16, dimensions: 16, seed: 1 });
const order = await rankByAssessment({
  assessmentText: first.records[0]!.text,
  candidates: [
    { userId: 'u1', behaviour: '"Quantum Galaxy (1994)"' },
    { userId: 'u2', behaviour: first.records[0]!.text },
  ],
  embedder,
});
console.log(order[0]!.userId); // u2
embedder.dispose();
rmSync(dirname(outFile), { recursive: true, force: true });
