// A custom pipeline that swaps SASRec for matrix factorisation as the collaborative model: MF
// (@score/crm-sasrec) embeds users, their nearest neighbours by inner product become the "similar
// users" of the prompt P^s (@score/prompt-kit), a small rec LM trained from scratch on the train
// split's prompts (@score/rec-lm) scores the test rows, and @score/metrics compares P(yes) with
// MF's own scores. Every part is a library call, so any stage can be replaced by your own code.
import { computeNeighbours, createMatrixFactorization } from '@score/crm-sasrec';
import { generateSyntheticDataset } from '@score/data';
import { evaluateCtr } from '@score/metrics';
import { basicPrompt, ciPrompt } from '@score/prompt-kit';
import { createScratchRecLm, trainRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';

await initTensorflow();
const dataset = await generateSyntheticDataset({ users: 50, items: 60, seed: 3 });

// 1. The collaborative model: MF instead of SASRec (same interface: fit, scoreRows, userEmbeddings).
const mf = createMatrixFactorization({ embeddingSize: 16, epochs: 3, seed: 1 });
const fit = await mf.fit(dataset);
console.log(`MF best valid AUC ${fit.bestValidAuc.toFixed(3)}`);

// 2. Similar users: neighbours of each training user's embedding e_u (K_s = 2).
const trainRows = dataset.split('train');
const lastRowOf = new Map(trainRows.map((row) => [row.userId, row]));
const userIds = [...lastRowOf.keys()];
const embeddings = await mf.userEmbeddings(userIds.map((userId) => ({ userId, history: dataset.history(lastRowOf.get(userId)!, 10) })));
const neighbours = computeNeighbours(embeddings, { k: 2 });
const similarOf = (userId: string) => {
  const r = userIds.indexOf(userId);
  if (r < 0) return [];
  return [...neighbours.indices.subarray(r * 2, r * 2 + 2)].map((j) => dataset.history(lastRowOf.get(userIds[j])!, 3).map((id) => dataset.items.get(id)!));
};

// 3. Prompts: P^s where the user has neighbours, else P^b.
const promptOf = (row: (typeof trainRows)[number]) => {
  const history = dataset.history(row, 5).map((id) => dataset.items.get(id)!);
  const target = dataset.items.get(row.itemId)!;
  const similarBehaviours = similarOf(row.userId).filter((behaviour) => behaviour.length > 0);
  return similarBehaviours.length > 0 ? ciPrompt({ domain: 'movies', history, target, similarBehaviours }) : basicPrompt({ domain: 'movies', history, target });
};
const examplesOf = (split: 'train' | 'valid' | 'test', count: number) =>
  dataset.split(split).filter((row) => dataset.history(row).length > 0).slice(0, count).map((row) => ({ row, prompt: promptOf(row), label: row.label as 0 | 1 }));
const train = examplesOf('train', 80);
const valid = examplesOf('valid', 30);
const test = examplesOf('test', 30);
console.log(test[0].prompt.includes('Other users with similar preferences')); // true

// 4. The rec LM, trained briefly from scratch (swap in a fine-tuned model for real use).
const tokenizer = trainTokenizer({ texts: train.map((example) => example.prompt), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
const lm = createScratchRecLm({ tokenizer, seed: 1, config: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, headDim: 16 } });
await trainRecLm(lm, { train, valid, epochs: 1 });
const lmScores = (await lm.scoreYesNo(test.map((example) => example.prompt))).map((score) => score.probability);
const mfScores = await mf.scoreRows(test.map(({ row }) => ({ userId: row.userId, history: dataset.history(row, 10), itemId: row.itemId })));

// 5. Metrics on the same test rows.
const userIdsOfTest = test.map(({ row }) => row.userId);
const labels = test.map(({ label }) => label);
const lmMetrics = evaluateCtr({ userIds: userIdsOfTest, labels, scores: lmScores });
const mfMetrics = evaluateCtr({ userIds: userIdsOfTest, labels, scores: mfScores });
console.log(`test rows ${lmMetrics.rows}: rec LM AUC ${lmMetrics.auc.toFixed(3)}, MF AUC ${mfMetrics.auc.toFixed(3)}`);
console.log(lmScores.every((p) => p > 0 && p < 1)); // true
lm.dispose();
mf.dispose();
