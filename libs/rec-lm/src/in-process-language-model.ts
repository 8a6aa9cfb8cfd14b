import type { GenerateOptions, GenerateResult, LanguageModel, ScoreYesNoOptions, YesNoScore } from '@score/core';
import { InvalidOptionError, LanguageModelError, checkInteger, createRandom } from '@score/core';
import { type AnswerTokenIds, type AnswerWords, resolveAnswerTokens } from './answer-tokens';
import type { LlamaModel } from './llama-model';
import { createPromptEncoder, type PromptEncoder, type PromptEncoderOptions } from './prompt-encoder';
import type { RecLmTokenizer } from './rec-lm-tokenizer';
import { scoreTokenSequences } from './yes-no-scoring';

/** Options of {@link createInProcessLanguageModel}. */
export interface InProcessLanguageModelOptions {
  /** The tfjs Llama model (owned by the language model from now on: `dispose()` frees it). */
  readonly model: LlamaModel;
  /** Its tokenizer; "Yes" and "No" must be single tokens. */
  readonly tokenizer: RecLmTokenizer;
  /** The answer words. @defaultValue { yes: "Yes", no: "No" } */
  readonly answers?: AnswerWords;
  /** Longest prompt in tokens (BOS included); longer prompts lose their oldest tokens. @defaultValue the model's max_position_embeddings */
  readonly maxPromptTokens?: number;
  /** Prompts per forward pass of `scoreYesNo` when the call does not say. @defaultValue 16 */
  readonly batchSize?: number;
  /** `modelId` of the language model. @defaultValue the model's name, else "rec-lm" */
  readonly modelId?: string;
  /** How prompts become token ids: BOS or not, a chat template. @defaultValue BOS, the prompt as is */
  readonly promptEncoding?: PromptEncoderOptions;
}

const PROVIDER = 'inprocess';

/**
 * The recommender LM as a core `LanguageModel` (provider "inprocess"): `scoreYesNo` batches
 * prompts by length and returns P(yes) = softmax over the "Yes"/"No" logits at the answer position
 * (method.md, Eq. 14); `generate` decodes greedily or by temperature / top-p sampling,
 * recomputing the prefix at each step.
 */
export class InProcessLanguageModel implements LanguageModel {
  readonly provider = PROVIDER;
  readonly modelId: string;
  readonly model: LlamaModel;
  readonly tokenizer: RecLmTokenizer;
  /** Token ids of the answers. */
  readonly answers: AnswerTokenIds;
  /** The options it was built with (a subclass that shares the model, e.g. the threaded LM of `openThreadedRecLm`, rebuilds from them). */
  readonly options: InProcessLanguageModelOptions;
  readonly #encoder: PromptEncoder;
  readonly #batchSize: number;
  #disposed = false;

  constructor(options: InProcessLanguageModelOptions) {
    this.options = options;
    this.model = options.model;
    this.tokenizer = options.tokenizer;
    this.answers = resolveAnswerTokens(options.tokenizer, options.answers);
    this.#encoder = createPromptEncoder(options.tokenizer, options.model.config, options.maxPromptTokens, options.promptEncoding);
    const batchSize = options.batchSize ?? 16;
    checkInteger('batchSize', batchSize, 1);
    this.#batchSize = batchSize;
    this.modelId = options.modelId ?? options.model.name ?? 'rec-lm';
  }

  /** `<bos> prompt tokens` of a prompt, as scored and trained. */
  encodePrompt(prompt: string): number[] {
    return this.#encoder.encode(prompt);
  }

  async scoreYesNo(prompts: readonly string[], options: ScoreYesNoOptions = {}): Promise<YesNoScore[]> {
    this.#assertOpen();
    const batchSize = options.batchSize ?? this.#batchSize;
    checkInteger('batchSize', batchSize, 1);
    return this.scoreSequences(prompts.map((prompt) => this.#encoder.encode(prompt)), batchSize, options.signal);
  }

  /**
   * Yes/No scores of encoded prompts (BOS included), in batches of `batchSize` by length
   * ({@link scoreTokenSequences}); a subclass may spread the same batches over threads.
   */
  protected scoreSequences(sequences: readonly (readonly number[])[], batchSize: number, signal?: AbortSignal): Promise<YesNoScore[]> {
    return scoreTokenSequences(this.model, sequences, this.answers, batchSize, signal);
  }

  async generate(prompt: string, options: GenerateOptions = {}): Promise<GenerateResult> {
    this.#assertOpen();
    const maxTokens = options.maxTokens ?? 256; // GenerateOptions' documented default
    checkInteger('maxTokens', maxTokens, 0);
    const temperature = options.temperature ?? 0;
    if (!(temperature >= 0)) throw new InvalidOptionError('temperature', `must be >= 0, got ${temperature}.`, temperature);
    const topP = options.topP ?? 1;
    if (!(topP > 0 && topP <= 1)) throw new InvalidOptionError('topP', `must be in (0, 1], got ${topP}.`, topP);
    const random = createRandom(options.seed ?? 0);
    const tokens = this.#encoder.encode(prompt);
    const promptTokens = tokens.length;
    const generated: number[] = [];
    const eos = this.model.config.eosTokenId ?? this.tokenizer.specialTokens.eos;
    let finishReason = 'length';
    while (generated.length < maxTokens) {
      options.signal?.throwIfAborted();
      if (tokens.length >= this.model.config.maxPositionEmbeddings) break;
      const [logits] = await this.model.nextTokenLogits([tokens]);
      const next = pickToken(logits!, temperature, topP, random);
      if (next === eos) {
        finishReason = 'stop';
        break;
      }
      tokens.push(next);
      generated.push(next);
      const text = this.tokenizer.decode(generated, { skipSpecialTokens: true });
      const stop = options.stop?.find((s) => s.length > 0 && text.includes(s));
      if (stop !== undefined) {
        return { text: text.slice(0, text.indexOf(stop)), usage: { promptTokens, completionTokens: generated.length }, finishReason: 'stop' };
      }
    }
    return { text: this.tokenizer.decode(generated, { skipSpecialTokens: true }), usage: { promptTokens, completionTokens: generated.length }, finishReason };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.model.dispose();
  }

  #assertOpen(): void {
    if (this.#disposed) throw new LanguageModelError('The model was disposed.', { provider: PROVIDER, modelId: this.modelId });
  }
}

/** Greedy when `temperature` is 0, else a sample from softmax(logits / temperature) cut to top-p. */
function pickToken(logits: Float32Array, temperature: number, topP: number, random: () => number): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  if (temperature === 0) return best;
  const probabilities = Array.from(logits, (value, id) => ({ id, p: Math.exp((value - logits[best]!) / temperature) }));
  const total = probabilities.reduce((sum, entry) => sum + entry.p, 0);
  probabilities.sort((a, b) => b.p - a.p);
  const kept: { id: number; p: number }[] = [];
  let mass = 0;
  for (const entry of probabilities) {
    kept.push(entry);
    mass += entry.p / total;
    if (mass >= topP) break;
  }
  const keptMass = kept.reduce((sum, entry) => sum + entry.p, 0);
  let draw = random() * keptMass;
  for (const entry of kept) {
    draw -= entry.p;
    if (draw <= 0) return entry.id;
  }
  return kept[kept.length - 1]!.id;
}

/** Builds an {@link InProcessLanguageModel}; checks that the answers are single tokens. */
export function createInProcessLanguageModel(options: InProcessLanguageModelOptions): InProcessLanguageModel {
  return new InProcessLanguageModel(options);
}

/**
 * An {@link InProcessLanguageModel} over a model just created or loaded, which it then owns:
 * `prepare` (adapters, caches) returns the other options; when it or the creation throws, the
 * model is disposed and the error passed on. @internal
 */
export function adoptLanguageModel(model: LlamaModel, prepare: () => Omit<InProcessLanguageModelOptions, 'model'>): InProcessLanguageModel {
  try {
    return createInProcessLanguageModel({ model, ...prepare() });
  } catch (error) {
    model.dispose();
    throw error;
  }
}
