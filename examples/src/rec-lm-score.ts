// The rec LM with @score/rec-lm: trains a tiny decoder from scratch on synthetic Yes/No prompts (a
// BPE tokenizer trained on the same texts) and scores a prompt: P(yes) is the softmax over the
// "Yes" and "No" logits of the next token (method.md, Eq. 14).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchRecLm, syntheticPrompts, trainRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';

await initTensorflow();
const train = syntheticPrompts({ count: 80, seed: 1 });
const valid = syntheticPrompts({ count: 30, seed: 2 });
const tokenizer = trainTokenizer({ texts: train.map((example) => example.prompt), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
// A deliberately tiny decoder so the example runs in seconds; leave `config` out for the default size.
const lm = createScratchRecLm({ tokenizer, seed: 1, config: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, headDim: 16 } });
const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-rec-lm-'));
const report = await trainRecLm(lm, { train, valid, epochs: 1, checkpointDir });
console.log(`best validation ${report.bestValidation.toFixed(3)}, ${Math.round(report.tokensPerSecond)} tokens/s`);

const [score] = await lm.scoreYesNo([valid[0].prompt]);
console.log(`P(yes) = ${score.probability.toFixed(4)} (yes logit ${score.yesLogit.toFixed(3)}, no logit ${score.noLogit.toFixed(3)})`);
console.log(Math.abs(score.probability - 1 / (1 + Math.exp(score.noLogit - score.yesLogit))) < 1e-6); // true
lm.dispose();
fs.rmSync(checkpointDir, { recursive: true, force: true });
