/**
 * Which answer tokens an untuned SmolLM2-135M-Instruct gives probability to after a raw Yes/No
 * prompt, and what each scoring route makes of them (`npm run bench:answer-tokens -w @score/rec-lm`):
 *  - llama.cpp (node-llama-cpp) on the GGUF: the next-token probability of "Yes", " Yes", "No",
 *    " No" and the five likeliest tokens;
 *  - `createLlamaCppModel(...).scoreYesNo`, the `llamacpp:` route of `eval.zeroShot.llm`: P(yes)
 *    over every single-token spelling of the answers ("Yes" and " Yes" summed, likewise "No");
 *  - `loadGgufRecLm(...).scoreYesNo`, the in-process route (`eval.zeroShot.llm: rec`, and every
 *    tuned variant): P(yes) over the single tokens of `answers`, "Yes" and "No" by default (the
 *    tokens rec tuning trains), and with `answers: { yes: " Yes", no: " No" }` for comparison.
 * The prompts are the basic template P^b (method.md) filled with ML-1M-style titles. Prints one
 * row per prompt; the figures explain why the two zero-shot routes disagree (method.md, "Reading
 * the pretrained demo's numbers").
 */
import { createLlamaCppModel } from '@score/llm-clients';
import { initTensorflow } from '@score/tfjs-runtime';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { loadGgufRecLm } from '../src/index';
import { smollm2GgufPath } from '../src/test-fixtures/smollm2-gguf';

const basic = (history: string, target: string): string =>
  `The user has highly rated the following movies: ${history}. Based on this information, predict whether the user would enjoy the movie titled ${target}. Respond with either 'Yes' or 'No'.`;
const PROMPTS = [
  basic('Toy Story (1995), Heat (1995), Casino (1995)', 'GoldenEye (1995)'),
  basic('Star Wars (1977), Alien (1979), The Terminator (1984), Aliens (1986)', 'The Matrix (1999)'),
  basic('Sense and Sensibility (1995), Emma (1996), Persuasion (1995)', 'Pride and Prejudice (1940)'),
  basic('Fargo (1996), Pulp Fiction (1994)', 'Babe (1995)'),
];

await initTensorflow();
const file = await smollm2GgufPath();
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({ contextSize: 512 });
const sequence = context.getSequence();
const spellings = ['Yes', ' Yes', 'No', ' No'] as const;
const ids = new Map(spellings.map((word) => [word, model.tokenize(word, false)] as const));
for (const [word, tokens] of ids) if (tokens.length !== 1) throw new Error(`"${word}" is ${tokens.length} tokens in this GGUF's tokenizer; the bench expects one.`);

const llamaCpp = await createLlamaCppModel({ modelPath: file, gpu: false, contextSize: 512 });
const inProcess = await loadGgufRecLm(file);
const spaced = await loadGgufRecLm(file, { answers: { yes: ' Yes', no: ' No' } });
const [byLlamaCpp, byRec, bySpaced] = [await llamaCpp.scoreYesNo(PROMPTS), await inProcess.scoreYesNo(PROMPTS), await spaced.scoreYesNo(PROMPTS)];

const format = (value: number): string => value.toExponential(2);
console.log(`SmolLM2-135M-Instruct (${file}), raw prompts (no chat template)`);
console.log('prompt | P("Yes") | P(" Yes") | P("No") | P(" No") | likeliest next tokens | llamacpp route P(yes) | rec route P(yes) ("Yes"/"No") | rec route P(yes) (" Yes"/" No")');
for (const [index, prompt] of PROMPTS.entries()) {
  await sequence.clearHistory();
  const tokens = model.tokenize(prompt);
  const bos = model.tokens.bos;
  if (model.tokens.shouldPrependBosToken && bos !== null) tokens.unshift(bos);
  const input = tokens.map((token, i) => (i === tokens.length - 1 ? ([token, { generateNext: { probabilities: true } }] as [Token, object]) : token));
  const output = await sequence.controlledEvaluate(input as Parameters<typeof sequence.controlledEvaluate>[0]);
  const probabilities = output[input.length - 1]?.next?.probabilities;
  if (probabilities === undefined) throw new Error('llama.cpp returned no next-token probabilities.');
  const p = (word: (typeof spellings)[number]): string => format(probabilities.get(ids.get(word)![0]!) ?? 0);
  const top = [...probabilities.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([token, value]) => `${JSON.stringify(model.detokenize([token]))} ${value.toFixed(3)}`).join(', ');
  console.log(`${index + 1} | ${p('Yes')} | ${p(' Yes')} | ${p('No')} | ${p(' No')} | ${top} | ${byLlamaCpp[index]!.probability.toFixed(4)} | ${byRec[index]!.probability.toFixed(4)} | ${bySpaced[index]!.probability.toFixed(4)}`);
}
await Promise.all([llamaCpp.dispose(), inProcess.dispose(), spaced.dispose()]);
await context.dispose();
await model.dispose();
await llama.dispose();
