/**
 * Self-assessment throughput with a real LLM (printed, never asserted): the paper's self-assessing
 * prompt (Eq. 7) for pairs of a seeded synthetic movie dataset, answered by a registry GGUF model
 * through node-llama-cpp and its chat template, on N threads (2 by default: the CI machine).
 * Prints the machine's load, assessments per minute (wall clock), CPU seconds per assessment (a
 * load-independent figure: on an idle machine with T free cores, about 60 * T / cpu s per minute),
 * tokens, and how many answers were refused by parseAssessmentAnswer.
 *
 * Run: npx nx run self-assess:bench [-- --model gemma3-270m --pairs 20 --threads 2 --max-tokens 128]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { generateSyntheticDataset } from '@score/data';
import { createLlamaCppModel } from '@score/llm-clients';
import { pullModel } from '@score/model-hub';
import { createLlmAssessor, sampleAssessmentPairs } from '../src/index';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'smollm2-135m-instruct' },
    pairs: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    'max-tokens': { type: 'string', default: '128' },
  },
});
const pairCount = Number(values.pairs);
const threads = Number(values.threads);
const maxTokens = Number(values['max-tokens']);

const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), load average before: ${load()}`);

const pulled = await pullModel(values.model);
const model = await createLlamaCppModel({ modelPath: pulled.path, threads, contextSize: 1024 });
console.log(`model: ${values.model} (${pulled.path}), chat template: ${model.chatTemplate ?? 'none (raw completion)'}, threads ${threads}, maxTokens ${maxTokens}`);

const dataset = await generateSyntheticDataset({ users: 200, items: 300, seed: 7 });
const pairs = sampleAssessmentPairs(dataset, { sample: pairCount + 1, seed: 7 });
const assessor = createLlmAssessor({ model, domain: 'movies', maxTokens, retries: 0 });
// Warm-up (first evaluation allocates buffers); not timed.
await model.generate(assessor.prompt(pairs[0]), { maxTokens: 4 });

let promptTokens = 0;
let completionTokens = 0;
let refused = 0;
const examples: string[] = [];
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (const pair of pairs.slice(1)) {
  try {
    const assessment = await assessor.assess(pair);
    promptTokens += assessment.usage?.promptTokens ?? 0;
    completionTokens += assessment.usage?.completionTokens ?? 0;
    if (examples.length < 2) examples.push(assessment.text);
  } catch (error) {
    refused += 1;
    if (refused <= 2) console.log(`refused: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`);
  }
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const done = pairs.length - 1;
console.log(`load average after: ${load()}`);
console.log(`${done} assessments in ${seconds.toFixed(1)} s wall: ${((60 * done) / seconds).toFixed(1)} assessments/min on ${threads} threads at this load`);
console.log(`CPU: ${(cpuSeconds / done).toFixed(2)} s per assessment -> about ${((60 * threads * done) / cpuSeconds).toFixed(1)} assessments/min on ${threads} idle cores`);
console.log(`tokens per assessment: prompt ${(promptTokens / Math.max(1, done - refused)).toFixed(0)}, completion ${(completionTokens / Math.max(1, done - refused)).toFixed(0)}; refused answers: ${refused} of ${done}`);
for (const example of examples) console.log(`example: ${JSON.stringify(example.slice(0, 400))}`);
await model.dispose();
