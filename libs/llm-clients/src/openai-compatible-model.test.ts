import { InvalidOptionError, LanguageModelError } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAICompatibleModel } from './openai-compatible-model';
import { fixture, ReplayServer, type ReplayResponse } from './test-fixtures/replay-server';

let server: ReplayServer | undefined;

async function serve(handler: (request: { url: string; body: unknown }, index: number) => ReplayResponse): Promise<ReplayServer> {
  server = await ReplayServer.start(handler);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** P(yes) by hand: exp(yes) / (exp(yes) + exp(no)), with the variants' probabilities summed. */
function byHand(yesLogprobs: number[], noLogprobs: number[]): number {
  const yes = yesLogprobs.reduce((sum, value) => sum + Math.exp(value), 0);
  const no = noLogprobs.reduce((sum, value) => sum + Math.exp(value), 0);
  return yes / (yes + no);
}

describe('createOpenAICompatibleModel, scoreYesNo', () => {
  it('reads chat logprobs and combines "Yes" variants (method.md, Eq. 14)', async () => {
    const replay = await serve(() => ({ body: fixture('openai-chat-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'gpt-4o-mini', apiKey: 'sk-test', topLogprobs: 5 });
    const [score] = await model.scoreYesNo(['Would the user enjoy Alien?']);
    expect(score.probability).toBeCloseTo(byHand([-0.31725305, -2.5], [-1.3190403]), 12);
    expect(score.yesLogit).toBeCloseTo(Math.log(Math.exp(-0.31725305) + Math.exp(-2.5)), 12);
    expect(score.noLogit).toBeCloseTo(-1.3190403, 12);
    const request = replay.requests[0];
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Would the user enjoy Alien?' }],
      max_tokens: 1,
      temperature: 0,
      logprobs: true,
      top_logprobs: 5,
    });
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(model.totalUsage).toEqual({ promptTokens: 42, completionTokens: 1 });
  });

  it('counts lower-case variants only with caseInsensitive', async () => {
    const replay = await serve(() => ({ body: fixture('openai-chat-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', caseInsensitive: true, apiKeyEnv: 'SCORE_UNSET_KEY_VARIABLE' });
    const [score] = await model.scoreYesNo(['p']);
    expect(score.probability).toBeCloseTo(byHand([-0.31725305, -2.5], [-1.3190403, -4.0]), 12);
  });

  it('reads the legacy completions shape and sends logprobs as a count', async () => {
    const replay = await serve(() => ({ body: fixture('openai-completions-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: `${replay.baseURL}/`, model: 'gpt-3.5-turbo-instruct', endpoint: 'completions', topLogprobs: 4 });
    const [score] = await model.scoreYesNo(['Answer: ']);
    expect(score.probability).toBeCloseTo(byHand([-0.9], [-0.6]), 12);
    expect(replay.requests[0].url).toBe('/v1/completions');
    expect(replay.requests[0].body).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'Answer: ', max_tokens: 1, temperature: 0, logprobs: 4 });
  });

  it("reads llama.cpp server's chat-style logprobs on the completions endpoint", async () => {
    const replay = await serve(() => ({ body: fixture('llama-server-completions-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'tiny-model', endpoint: 'completions' });
    const [score] = await model.scoreYesNo(['Answer:']);
    expect(score.probability).toBeCloseTo(byHand([-0.105, -5.0], [-2.4]), 12);
  });

  it('puts a missing answer below the lowest listed log-probability minus log 2', async () => {
    const body = fixture('openai-completions-logprobs.json');
    const choice = (body.choices as Record<string, unknown>[])[0];
    choice.logprobs = { tokens: [' Yes'], token_logprobs: [-0.1], top_logprobs: [{ ' Yes': -0.1, ' Maybe': -2.5, '\n': -3.0 }] };
    const replay = await serve(() => ({ body }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', endpoint: 'completions' });
    const [score] = await model.scoreYesNo(['p']);
    expect(score.yesLogit).toBeCloseTo(-0.1, 12);
    expect(score.noLogit).toBeCloseTo(-3.0 - Math.log(2), 12);
    expect(score.probability).toBeCloseTo(1 / (1 + Math.exp(-3.0 - Math.log(2) + 0.1)), 12);
  });

  it('fails clearly when the server sends no log-probabilities', async () => {
    const replay = await serve(() => ({ body: fixture('chat-without-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'llama3.2' });
    const error = await model.scoreYesNo(['p']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LanguageModelError);
    expect((error as LanguageModelError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/^\[openai llama3\.2\] The server returned no log-probabilities/);
    expect(replay.requests).toHaveLength(1);
  });

  it('fails clearly when neither answer is among the top tokens', async () => {
    const body = fixture('openai-completions-logprobs.json');
    (body.choices as Record<string, unknown>[])[0].logprobs = { tokens: ['\n'], token_logprobs: [-0.2], top_logprobs: [{ '\n': -0.2, ' Maybe': -1.9 }] };
    const replay = await serve(() => ({ body }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', endpoint: 'completions' });
    await expect(model.scoreYesNo(['p'])).rejects.toThrow(/Neither "Yes" nor "No" is among the 2 most likely first tokens \("\\n", " Maybe"\)/);
  });

  it('fails clearly on a body that is not JSON, without retrying', async () => {
    const replay = await serve(() => ({ body: '{"choices": [ {"index": 0, "logpro' }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', retryBaseDelayMs: 1 });
    const error = (await model.scoreYesNo(['p']).catch((caught: unknown) => caught)) as LanguageModelError;
    expect(error).toBeInstanceOf(LanguageModelError);
    expect(error.message).toContain('with a body that is not valid JSON: "{\\"choices\\": [ {\\"index\\": 0, \\"logpro"');
    expect(error.status).toBe(200);
    expect(replay.requests).toHaveLength(1);
  });
});

describe('createOpenAICompatibleModel, faults and retries', () => {
  it('retries a 500 and then succeeds', async () => {
    const replay = await serve((_request, index) => (index === 0 ? { status: 500, body: { error: { message: 'boom' } } } : { body: fixture('openai-chat-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', retryBaseDelayMs: 5 });
    const [score] = await model.scoreYesNo(['p']);
    expect(score.probability).toBeCloseTo(byHand([-0.31725305, -2.5], [-1.3190403]), 12);
    expect(replay.requests).toHaveLength(2);
  });

  it('gives up after maxRetries with a retryable error that keeps the status', async () => {
    const replay = await serve(() => ({ status: 503, body: 'overloaded' }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', maxRetries: 2, retryBaseDelayMs: 1 });
    const error = (await model.scoreYesNo(['p']).catch((caught: unknown) => caught)) as LanguageModelError;
    expect(error).toBeInstanceOf(LanguageModelError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(error.message).toContain('Gave up after 3 attempts; last failure: POST');
    expect(error.message).toContain('answered HTTP 503: overloaded');
    expect(replay.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const replay = await serve(() => ({ status: 400, body: { error: { message: 'bad request' } } }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', retryBaseDelayMs: 1 });
    const error = (await model.scoreYesNo(['p']).catch((caught: unknown) => caught)) as LanguageModelError;
    expect([error.status, error.retryable]).toEqual([400, false]);
    expect(replay.requests).toHaveLength(1);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    const replay = await serve((_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'rate limited' } } } : { body: fixture('openai-chat-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', retryBaseDelayMs: 20_000, retryMaxDelayMs: 20_000 });
    const started = Date.now();
    await model.scoreYesNo(['p']);
    const waited = Date.now() - started;
    expect(replay.requests).toHaveLength(2);
    // Retry-After (1 s) wins over the 10-20 s exponential backoff.
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(10_000);
  });

  it('times out, retries, then reports a retryable error', async () => {
    const replay = await serve(() => ({ hang: true }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', timeoutMs: 100, maxRetries: 1, retryBaseDelayMs: 1 });
    const error = (await model.scoreYesNo(['p']).catch((caught: unknown) => caught)) as LanguageModelError;
    expect(error).toBeInstanceOf(LanguageModelError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/Gave up after 2 attempts; last failure: POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions got no complete answer within 100 ms\./);
    expect(replay.requests).toHaveLength(2);
  });

  it('retries network errors', async () => {
    const replay = await serve(() => ({ body: {} }));
    const baseURL = replay.baseURL;
    await replay.close();
    server = undefined;
    const model = createOpenAICompatibleModel({ baseURL, model: 'm', maxRetries: 1, retryBaseDelayMs: 1 });
    await expect(model.scoreYesNo(['p'])).rejects.toThrow(/Gave up after 2 attempts; last failure: POST .* failed before an answer/);
  });

  it('stops at once when the caller aborts', async () => {
    const replay = await serve(() => ({ hang: true }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = model.scoreYesNo(['p'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(LanguageModelError);
    expect((error as Error).name).toBe('AbortError');
    expect(replay.requests).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const replay = await serve(() => ({ delayMs: 30, body: fixture('openai-chat-logprobs.json') }));
    const events: number[] = [];
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', concurrency: 3, onProgress: (event) => events.push(event.done) });
    const scores = await model.scoreYesNo(Array.from({ length: 10 }, (_, i) => `prompt ${i}`));
    expect(scores).toHaveLength(10);
    expect(replay.requests).toHaveLength(10);
    expect(replay.maxInFlight).toBe(3);
    expect(events).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('createOpenAICompatibleModel, generate and options', () => {
  it('generates on the chat endpoint with the API key from the environment', async () => {
    const replay = await serve(() => ({ body: fixture('chat-generate.json') }));
    process.env.SCORE_TEST_LLM_KEY = 'sk-from-env';
    try {
      const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'gpt-4.1', apiKeyEnv: 'SCORE_TEST_LLM_KEY', systemPrompt: 'Be brief.', headers: { 'x-run': '7' } });
      const result = await model.generate('Describe the user.', { maxTokens: 32, temperature: 0.5, topP: 0.9, stop: ['\n'], seed: 3 });
      expect(result).toEqual({ text: 'The user likes space operas.', finishReason: 'stop', usage: { promptTokens: 19, completionTokens: 7 } });
      expect(replay.requests[0].headers.authorization).toBe('Bearer sk-from-env');
      expect(replay.requests[0].headers['x-run']).toBe('7');
      expect(replay.requests[0].body).toEqual({
        model: 'gpt-4.1',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Describe the user.' },
        ],
        max_tokens: 32,
        temperature: 0.5,
        top_p: 0.9,
        stop: ['\n'],
        seed: 3,
      });
    } finally {
      delete process.env.SCORE_TEST_LLM_KEY;
    }
  });

  it('generates on the completions endpoint without an Authorization header when no key is set', async () => {
    const replay = await serve(() => ({ body: fixture('openai-completions-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', endpoint: 'completions', apiKeyEnv: 'SCORE_UNSET_KEY_VARIABLE' });
    const result = await model.generate('Answer:');
    expect(result.text).toBe(' No');
    expect(result.finishReason).toBe('length');
    expect(replay.requests[0].headers.authorization).toBeUndefined();
    expect(replay.requests[0].body).toEqual({ model: 'm', prompt: 'Answer:', max_tokens: 256, temperature: 0 });
  });

  it('sends GenerateOptions\' default topP of 1 when sampling without one (servers differ)', async () => {
    const replay = await serve(() => ({ body: fixture('openai-completions-logprobs.json') }));
    const model = createOpenAICompatibleModel({ baseURL: replay.baseURL, model: 'm', endpoint: 'completions', apiKeyEnv: 'SCORE_UNSET_KEY_VARIABLE' });
    await model.generate('Answer:', { temperature: 0.7 });
    expect(replay.requests[0].body).toEqual({ model: 'm', prompt: 'Answer:', max_tokens: 256, temperature: 0.7, top_p: 1 });
  });

  it('validates its options, naming the field', () => {
    const check = (options: Record<string, unknown>, field: string): void => {
      let caught: unknown;
      try {
        createOpenAICompatibleModel({ baseURL: 'http://127.0.0.1:1/v1', model: 'm', ...options } as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidOptionError);
      expect((caught as InvalidOptionError).field).toBe(field);
    };
    check({ baseURL: 'not a url' }, 'baseURL');
    check({ baseURL: 'ftp://host/v1' }, 'baseURL');
    check({ model: '' }, 'model');
    check({ endpoint: 'responses' }, 'endpoint');
    check({ timeoutMs: 0 }, 'timeoutMs');
    check({ maxRetries: -1 }, 'maxRetries');
    check({ concurrency: 1.5 }, 'concurrency');
    check({ topLogprobs: 0 }, 'topLogprobs');
  });
});
