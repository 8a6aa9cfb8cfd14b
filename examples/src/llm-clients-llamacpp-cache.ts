// Scoring a prompt with a local GGUF model through node-llama-cpp (@score/llm-clients), behind an
// on-disk response cache: P(yes) is the softmax over the "Yes" and "No" logits of the next token
// (method.md, Eq. 14). The model is a tiny random llama written by `writeTinyLlamaGguf`, so the
// program runs anywhere in a second; give `modelPath` a real GGUF (or `model:NAME` through
// @score/model-hub's `resolveModelPath`) for real scores.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLlamaCppModel, createResponseCache, withCache } from '@score/llm-clients';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-clients-'));
const modelPath = path.join(runDir, 'tiny.gguf');
await writeTinyLlamaGguf(modelPath, { seed: 1 });
const cache = await createResponseCache({ dir: runDir });
const model = withCache(await createLlamaCppModel({ modelPath, threads: 1 }), cache, { closeCache: true });
const [score] = await model.scoreYesNo([
  "The user has highly rated the following movies: Alien. Based on this information, predict whether the user would enjoy the movie titled Heat. Respond with either 'Yes' or 'No'.",
]);
// score.probability is P(yes), the softmax over the "Yes" and "No" logits (method.md, Eq. 14)
console.log(Math.abs(score!.probability - 1 / (1 + Math.exp(score!.noLogit - score!.yesLogit))) < 1e-12); // true
await model.dispose();
console.log(fs.readFileSync(path.join(runDir, 'llm-cache.jsonl'), 'utf8').trim().split('\n').length); // 1
fs.rmSync(runDir, { recursive: true, force: true });
