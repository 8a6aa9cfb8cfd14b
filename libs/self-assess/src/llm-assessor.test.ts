import type { GenerateOptions, GenerateResult, LanguageModel } from '@score/core';
import { LanguageModelError } from '@score/core';
import { selfAssessPrompt } from '@score/prompt-kit';
import { describe, expect, it } from 'vitest';
import type { AssessmentPair } from './assessment';
import { createLlmAssessor, parseAssessmentAnswer } from './llm-assessor';

/** A language model that answers from a function and records its calls. */
function scriptedModel(answer: (prompt: string) => GenerateResult): LanguageModel & { calls: { prompt: string; options?: GenerateOptions }[] } {
  const calls: { prompt: string; options?: GenerateOptions }[] = [];
  return {
    provider: 'scripted',
    modelId: 'glm-test',
    calls,
    async generate(prompt, options) {
      calls.push({ prompt, options });
      return answer(prompt);
    },
    async scoreYesNo() {
      return [];
    },
    dispose() {},
  };
}

const heat = { id: '2', title: 'Heat (1995)', attributes: { genres: ['Action'] } };
const fargo = { id: '3', title: 'Fargo (1996)', attributes: {} };
const pair: AssessmentPair = { id: 'u:3@9', rowIndex: 4, userId: 'u', itemId: '3', label: 1, timestamp: 9, history: [heat], target: fargo };

describe('createLlmAssessor (Eq. 7)', () => {
  it('sends the self-assessing prompt and returns the trimmed answer, usage and source', async () => {
    const model = scriptedModel(() => ({ text: '  Dark comedy and crime dramas would help.\n', usage: { promptTokens: 40, completionTokens: 8 } }));
    const assessor = createLlmAssessor({ model, domain: 'games', maxTokens: 32 });
    expect(assessor.source).toBe('llm:glm-test');
    const assessment = await assessor.assess(pair);
    expect(assessment).toEqual({ text: 'Dark comedy and crime dramas would help.', source: 'llm:glm-test', usage: { promptTokens: 40, completionTokens: 8 } });
    const expected = selfAssessPrompt({ domain: 'games', history: [heat], target: fargo });
    expect(model.calls[0].prompt).toBe(expected);
    expect(expected).toContain('The user has played the following games: "Heat (1995)"');
    expect(model.calls[0].options).toMatchObject({ maxTokens: 32, temperature: 0 });
  });

  it('rejects an empty answer and bad options', async () => {
    const assessor = createLlmAssessor({ model: scriptedModel(() => ({ text: '   ' })) });
    await expect(assessor.assess(pair)).rejects.toThrow(LanguageModelError);
    await expect(assessor.assess(pair)).rejects.toThrow(/pair u:3@9 with an empty text/);
    expect(() => createLlmAssessor({ model: scriptedModel(() => ({ text: 'x' })), maxTokens: 0 })).toThrow(/"maxTokens"/);
    expect(() => createLlmAssessor({ model: {} as never })).toThrow(/"model"/);
  });

  it('cleans template leftovers and refuses garbage, echoes and loops', () => {
    const prompt = selfAssessPrompt({ domain: 'movies', history: [heat], target: fargo });
    expect(parseAssessmentAnswer('assistant\n Crime thrillers with dark humour would help.<|im_end|>', prompt)).toBe('Crime thrillers with dark humour would help.');
    expect(() => parseAssessmentAnswer('<end_of_turn>  ')).toThrow(/is empty/);
    expect(() => parseAssessmentAnswer('Yes.')).toThrow(/1 word\(s\), too few/);
    expect(() => parseAssessmentAnswer('}{ ;; 12 34 ## %% ^^ ** -- 99 !! ~~')).toThrow(/is not prose \(0% letters\)/);
    expect(() => parseAssessmentAnswer(`${prompt} mendatang ShoppingCart`, prompt)).toThrow(/repeats the prompt/);
    expect(() => parseAssessmentAnswer('They like action. '.repeat(12))).toThrow(/loops \(3 distinct 6-word runs of 31\)/);
    // Gemma 3 270M (a base model) answered so in the bench: a numbered list of one line, and the prompt retold.
    const numbered = Array.from({ length: 11 }, (_, index) => `${index + 1}. The movie is a ${index % 2 ? 'comedy' : 'romantic comedy'}.`).join('\n');
    expect(() => parseAssessmentAnswer(numbered)).toThrow(/loops/);
    const retold = `The user has watched the following movies: "Alien (1979)". ${prompt.slice(prompt.indexOf('However'))}`;
    expect(() => parseAssessmentAnswer(retold, prompt)).toThrow(/repeats the prompt/);
    const varied = 'Their history leans to crime dramas with moral ambiguity, regional settings and dark humour; knowing whether they enjoy slow pacing, ensemble casts, snowy small towns or the Coen brothers would help decide.';
    expect(parseAssessmentAnswer(varied, prompt)).toBe(varied);
  });

  it('asks again when an answer is garbage, then names every reason', async () => {
    const answers = ['1 2 3 4 5 6 7 8 9', 'Crime and dark comedy would help.'];
    const model = scriptedModel(() => ({ text: answers.shift() ?? '' }));
    const assessor = createLlmAssessor({ model });
    expect((await assessor.assess(pair)).text).toBe('Crime and dark comedy would help.');
    expect(model.calls.map((call) => call.options)).toMatchObject([{ temperature: 0 }, { temperature: 0.7, seed: 1 }]);
    const stubborn = createLlmAssessor({ model: scriptedModel(() => ({ text: '%%%% #### 12 34 56 78 ## ab' })), retries: 2 });
    await expect(stubborn.assess(pair)).rejects.toThrow(/pair u:3@9 with no usable assessment \(try 1: is not prose .*; try 2: .*; try 3: .*\)/);
  });
});
