import type { Domain, LanguageModel } from '@score/core';
import { InvalidOptionError, LanguageModelError, checkMethods, checkObject, integerOption } from '@score/core';
import { type DescribeHistoryOptions, type DomainPreset, resolveDomain, selfAssessPrompt } from '@score/prompt-kit';
import type { AssessCallOptions, Assessment, AssessmentPair, Assessor } from './assessment';

/**
 * The model answered a pair's self-assessing prompt, on every try, with no usable assessment (an
 * empty text, or one that repeats the prompt or is not prose). The call itself worked, so
 * `generateAssessments` may drop the pair (up to its `maxUnusable` share) instead of failing.
 */
export class UnusableAssessmentError extends LanguageModelError {
  /** The pair whose assessment was unusable. */
  readonly pairId: string;

  constructor(message: string, pairId: string, details: { provider: string; modelId?: string }) {
    super(message, details);
    this.pairId = pairId;
  }
}

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
  /**
   * Further tries when an answer is not a usable assessment (see {@link parseAssessmentAnswer});
   * each retry samples at temperature 0.7 with its own seed, so it asks for a different answer.
   * @defaultValue 1
   */
  readonly retries?: number;
}

/** Chat-template tokens a small model sometimes spells out, and role headers left in front of the answer. */
const TEMPLATE_LEFTOVERS = /<\|im_(?:start|end)\|>|<\|endoftext\|>|<\/?s>|<(?:start|end)_of_turn>|<eos>|<bos>/g;
const ROLE_HEADER = /^(?:assistant|model)\s*\n/i;

/** Lower-case words of a text, letters and digits only. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Reads a language model's answer to the self-assessing prompt as an assessment r_t (Eq. 7): removes
 * chat-template leftovers and surrounding space, then checks it is prose worth embedding. An
 * answer is refused when it is empty or shorter than three words, when fewer than half of its
 * non-space characters are letters (token soup), when it repeats the prompt (any 10 words in a row
 * of it), or when it loops (fewer than 40% of its 6-word runs are distinct, numbers left out, on
 * answers of 30 words or more).
 * @returns the cleaned text
 * @throws InvalidOptionError naming the reason (the assessor turns it into a retry, then a LanguageModelError)
 */
export function parseAssessmentAnswer(answer: string, prompt?: string): string {
  if (typeof answer !== 'string') throw new InvalidOptionError('answer', `must be a text, got ${typeof answer}.`, answer);
  const text = answer.replace(TEMPLATE_LEFTOVERS, ' ').trim().replace(ROLE_HEADER, '').trim();
  const refuse = (reason: string): never => {
    throw new InvalidOptionError('answer', `${reason}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)}.`, answer);
  };
  if (text.length === 0) refuse('is empty');
  const tokens = words(text);
  if (tokens.length < 3) refuse(`has ${tokens.length} word(s), too few for an assessment`);
  const visible = text.replace(/\s+/g, '');
  const letters = (visible.match(/\p{L}/gu) ?? []).length;
  if (letters < visible.length / 2) refuse(`is not prose (${Math.round((100 * letters) / visible.length)}% letters)`);
  if (prompt !== undefined) {
    const promptWords = words(prompt);
    const promptRuns = new Set(Array.from({ length: Math.max(0, promptWords.length - 9) }, (_, index) => promptWords.slice(index, index + 10).join(' ')));
    const echoed = Array.from({ length: Math.max(0, tokens.length - 9) }, (_, index) => tokens.slice(index, index + 10).join(' ')).some((run) => promptRuns.has(run));
    if (echoed) refuse('repeats the prompt instead of answering it');
  }
  // Numbers left out, so a numbered list of the same line still counts as a loop.
  const wordsOnly = tokens.filter((token) => !/^\p{N}+$/u.test(token));
  if (wordsOnly.length >= 30) {
    const runs = wordsOnly.length - 5;
    const distinct = new Set(Array.from({ length: runs }, (_, index) => wordsOnly.slice(index, index + 6).join(' '))).size;
    if (distinct < 0.4 * runs) refuse(`loops (${distinct} distinct 6-word runs of ${runs})`);
  }
  return text;
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
  const retries = integerOption('retries', options.retries, 1, 0);
  const source = `llm:${model.modelId}` as const;
  const prompt = (pair: AssessmentPair): string => selfAssessPrompt({ domain, history: pair.history, target: pair.target, description });

  const assess = async (pair: AssessmentPair, callOptions: AssessCallOptions = {}): Promise<Assessment> => {
    const text = prompt(pair);
    const reasons: string[] = [];
    let allEmpty = true;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      const settings = attempt === 0 ? { maxTokens, temperature } : { maxTokens, temperature: Math.max(temperature, 0.7), seed: attempt };
      const result = await model.generate(text, { ...settings, signal: callOptions.signal });
      allEmpty &&= result.text.trim().length === 0;
      try {
        const answer = parseAssessmentAnswer(result.text, text);
        return result.usage === undefined ? { text: answer, source } : { text: answer, source, usage: result.usage };
      } catch (error) {
        if (!(error instanceof InvalidOptionError)) throw error;
        reasons.push(`try ${attempt + 1}: ${error.message.replace(/^Invalid "answer": /, '').replace(/\.$/, '')}`);
      }
    }
    const detail = allEmpty ? 'an empty text; an assessment needs some text' : `no usable assessment (${reasons.join('; ')})`;
    throw new UnusableAssessmentError(`The model answered the self-assessing prompt of pair ${pair.id} with ${detail}.`, pair.id, {
      provider: model.provider,
      modelId: model.modelId,
    });
  };

  return { source, assess, prompt };
}
