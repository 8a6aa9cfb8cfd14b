import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { createLanguageModel } from './create-language-model';
import { OpenAICompatibleModel } from './openai-compatible-model';
import { parseLlmSpec } from './parse-llm-spec';

describe('parseLlmSpec', () => {
  it('parses every form', () => {
    expect(parseLlmSpec('openai:https://api.example.com/v1#gpt-4o-mini')).toEqual({
      provider: 'openai',
      options: { baseURL: 'https://api.example.com/v1', model: 'gpt-4o-mini', endpoint: 'chat' },
    });
    expect(parseLlmSpec('openai-completions:http://127.0.0.1:8080/v1#tiny').options).toEqual({ baseURL: 'http://127.0.0.1:8080/v1', model: 'tiny', endpoint: 'completions' });
    expect(parseLlmSpec('vllm:#score-lora').options).toEqual({ baseURL: 'http://127.0.0.1:8000/v1', model: 'score-lora', endpoint: 'chat' });
    expect(parseLlmSpec('ollama:#llama3.2:1b').options).toMatchObject({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2:1b' });
    expect(parseLlmSpec('llamacpp:/models/base.gguf')).toEqual({ provider: 'llamacpp', options: { modelPath: '/models/base.gguf' } });
    expect(parseLlmSpec('llamacpp:/models/base.gguf#/runs/1/lora.gguf').options).toEqual({ modelPath: '/models/base.gguf', loraPath: '/runs/1/lora.gguf' });
    // A registry name stays a name here; @score/model-hub resolves it before the model is created.
    expect(parseLlmSpec('llamacpp:model:smollm2-135m-instruct#/runs/1/lora.gguf').options).toEqual({ modelPath: 'model:smollm2-135m-instruct', loraPath: '/runs/1/lora.gguf' });
  });

  it('explains what is wrong', () => {
    const message = (spec: string): string => {
      try {
        parseLlmSpec(spec);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).field).toBe('llm');
        return (error as Error).message;
      }
      throw new Error(`"${spec}" was accepted`);
    };
    expect(message('gpt-4')).toContain('must be one of "openai:URL#MODEL"');
    expect(message('anthropic:x#y')).toContain('the backend "anthropic" is unknown');
    expect(message('openai:http://h/v1')).toContain('names no model; add "#MODEL" after the URL, e.g. "openai:http://h/v1#my-model"');
    expect(message('openai:file:///x#m')).toContain('is not an http(s) URL');
    expect(message('llamacpp:')).toContain('names no GGUF file');
  });

  it('builds the model a spec names, with overrides', async () => {
    const model = await createLanguageModel('vllm:http://127.0.0.1:9/v1#adapter-1', { openai: { concurrency: 2 } });
    expect(model).toBeInstanceOf(OpenAICompatibleModel);
    expect([model.provider, model.modelId]).toEqual(['openai', 'adapter-1']);
    await expect(createLanguageModel('llamacpp:/nonexistent/model.gguf')).rejects.toThrow('/nonexistent/model.gguf is not a usable GGUF model file: the file does not exist.');
    await expect(createLanguageModel('llamacpp:model:smollm2-135m-instruct')).rejects.toThrow(/names a model of the registry, not a file; resolve it first with resolveModelSpec/);
  });
});
