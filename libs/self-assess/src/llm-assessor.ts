import type { Domain, LanguageModel } from '@score/core';
import { InvalidOptionError, LanguageModelError } from '@score/core';
import { type DescribeHistoryOptions, type DomainPreset, resolveDomain, selfAssessPrompt } from '@score/prompt-kit';
import type { AssessCallOptions, Assessment, AssessmentPair, Assessor } from './assessment';
import { checkMethods, checkObject, integerOption } from './validate';

/** Options of {@link createLlmAssessor}. */
export interface LlmAssessorOptions {
  /** The language model that answers the self-assessing prompt (paper: GLM-4-Plus). */
  readonly model: LanguageModel;
  /**
   * Domain whose nouns fill the prompt ("movies", "games", "books" or a preset).
   * @defaultValue "movies"
   */
  readonly domain?: Domain | DomainPreset;
  /**
   * Most tokens of one assessment.
   * @defaultValue 256
   */
  readonly maxTokens?: number;
  /**
   * Sampling temperature (0 = greedy, so a rerun asks for the same answer).
   * @defaultValue 0
   */
  readonly temperature?: number;
  /**
   * How the history and target are described in the prompt (prompt-kit's `describeHistory` options).
   * @defaultValue {} (titles only, the 20 most recent items)
   */
  readonly description?: DescribeHistoryOptions;
}

/** An assessor backed by a language model; see {@link createLlmAssessor}. */
export interface LlmAssessor extends Assessor {
  readonly source: `llm:${string}`;
  /** The self-assessing prompt sent for a pair. */
  prompt(pair: AssessmentPair): string;
}

/**
 * Self-assessment with an LLM (method.md Eq. 7): sends the paper's self-assessing prompt, filled
 * with the pair's history and target, and returns the answer as the assessment r_t. Its source is
 * `llm:<modelId>`.
 *
 * @throws LanguageModelError (from `assess`) when the model fails or answers with an empty text.
 */
export function createLlmAssessor(options: LlmAssessorOptions): LlmAssessor {
  checkObject('options', options);
  checkMethods('model', options.model, ['generate'], 'a LanguageModel');
  const model = options.model;
  const domain = resolveDomain(options.domain ?? 'movies');
  const maxTokens = integerOption('maxTokens', options.maxTokens, 256, 1);
  const temperature = options.temperature ?? 0;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new InvalidOptionError('temperature', `must be a number >= 0, got ${String(temperature)}.`, temperature);
  }
  const description = options.description ?? {};
  checkObject('description', description);
  const source = `llm:${model.modelId}` as const;
  const prompt = (pair: AssessmentPair): string => selfAssessPrompt({ domain, history: pair.history, target: pair.target, description });

  const assess = async (pair: AssessmentPair, callOptions: AssessCallOptions = {}): Promise<Assessment> => {
    const result = await model.generate(prompt(pair), { maxTokens, temperature, signal: callOptions.signal });
    const text = result.text.trim();
    if (text.length === 0) {
      throw new LanguageModelError(`The model answered the self-assessing prompt of pair ${pair.id} with an empty text; an assessment needs some text.`, {
        provider: model.provider,
        modelId: model.modelId,
      });
    }
    return result.usage === undefined ? { text, source } : { text, source, usage: result.usage };
  };

  return { source, assess, prompt };
}
