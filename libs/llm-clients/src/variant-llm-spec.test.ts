import { InvalidOptionError } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createLanguageModel } from './create-language-model';
import { hasVariantPlaceholder, llmSpecForVariant } from './variant-llm-spec';
import { fixture, ReplayServer } from './test-fixtures/replay-server';

let server: ReplayServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('llmSpecForVariant', () => {
  it('puts the variant into the model name only', () => {
    expect(hasVariantPlaceholder('vllm:#score-{variant}')).toBe(true);
    expect(hasVariantPlaceholder('vllm:#score')).toBe(false);
    expect(llmSpecForVariant('openai:http://gpu:8000/v1#score-{variant}', 'basic')).toBe('openai:http://gpu:8000/v1#score-basic');
    expect(llmSpecForVariant('vllm:#{variant}-lora-{variant}', 'score-k15-s2')).toBe('vllm:#score-k15-s2-lora-score-k15-s2');
    expect(llmSpecForVariant('vllm:#one-model', 'basic')).toBe('vllm:#one-model');
    expect(() => llmSpecForVariant('openai:http://{variant}:8000/v1#m', 'basic')).toThrow(InvalidOptionError);
    expect(() => llmSpecForVariant('vllm:#score-{variant}', 'a b')).toThrow(/plain name/);
  });

  it('scores each variant with its own adapter of one OpenAI-compatible server (completions with logprobs)', async () => {
    // A vLLM-style server: one base model with a LoRA adapter per variant, picked by the request's "model".
    const logprobs: Record<string, { ' Yes': number; ' No': number }> = { 'score-basic': { ' Yes': -1.2, ' No': -0.4 }, 'score-score': { ' Yes': -0.3, ' No': -1.5 } };
    server = await ReplayServer.start((request) => {
      const body = fixture('openai-completions-logprobs.json');
      const model = (request.body as { model: string }).model;
      const top = logprobs[model];
      if (!top) return { status: 404, body: { error: { message: `The model \`${model}\` does not exist.`, type: 'NotFoundError', code: 404 } } };
      const choice = (body.choices as Record<string, unknown>[])[0]!;
      choice.logprobs = { tokens: [' Yes'], token_logprobs: [top[' Yes']], top_logprobs: [top], text_offset: [0] };
      return { body: { ...body, model } };
    });
    const spec = `openai-completions:${server.baseURL}#score-{variant}`;
    const probabilities: Record<string, number> = {};
    for (const variant of ['basic', 'score']) {
      const model = await createLanguageModel(llmSpecForVariant(spec, variant), { openai: { maxRetries: 0 } });
      try {
        probabilities[variant] = (await model.scoreYesNo(['Would the user enjoy Heat? Answer:']))[0]!.probability;
        expect(model.modelId).toBe(`score-${variant}`);
      } finally {
        await model.dispose();
      }
    }
    expect(server.requests.map((request) => (request.body as { model: string }).model)).toEqual(['score-basic', 'score-score']);
    expect(server.requests.every((request) => request.url === '/v1/completions')).toBe(true);
    expect(probabilities['basic']).toBeCloseTo(Math.exp(-1.2) / (Math.exp(-1.2) + Math.exp(-0.4)), 12);
    expect(probabilities['score']).toBeCloseTo(Math.exp(-0.3) / (Math.exp(-0.3) + Math.exp(-1.5)), 12);
    // A variant the server has no adapter for fails with the server's message.
    const missing = await createLanguageModel(llmSpecForVariant(spec, 'cf'), { openai: { maxRetries: 0 } });
    await expect(missing.scoreYesNo(['p'])).rejects.toThrow(/score-cf/);
    await missing.dispose();
  });
});
