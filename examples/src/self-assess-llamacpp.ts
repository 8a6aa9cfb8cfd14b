// An LLM assessor of @score/self-assess on a local GGUF model through node-llama-cpp
// (@score/llm-clients): the model answers the paper's self-assessing prompt for a (user, item)
// pair (method.md, Eq. 7) through the GGUF's own chat template, and the answer is cleaned of
// chat-template tokens. The model here is a tiny random llama (`writeTinyLlamaGguf`), so its text
// is noise but every step is real; `modelPath: await resolveModelPath('model:smollm2-135m-instruct')`
// (@score/model-hub) gives SmolLM2-135M-Instruct instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset } from '@score/data';
import { createLlamaCppModel } from '@score/llm-clients';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';
import { createLlmAssessor, sampleAssessmentPairs } from '@score/self-assess';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assess-llm-'));
const modelPath = path.join(dir, 'tiny.gguf');
await writeTinyLlamaGguf(modelPath, { seed: 2, contextLength: 2048 });
const dataset = await generateSyntheticDataset({ users: 10, items: 30, seed: 3 });
const [pair] = sampleAssessmentPairs(dataset, { sample: 1, seed: 1 });

const model = await createLlamaCppModel({ modelPath, threads: 1 });
const assessor = createLlmAssessor({ model, domain: 'movies', maxTokens: 16 });
const { text, usage } = await assessor.assess(pair!);
console.log(typeof text); // string
console.log((usage?.promptTokens ?? 0) > 0, (usage?.completionTokens ?? 0) <= 16); // true true
await model.dispose();
fs.rmSync(dir, { recursive: true, force: true });
