/**
 * Options of {@link LanguageModel.generate}. Every implementation in @score (the in-process model
 * of @score/rec-lm, the llama.cpp and OpenAI-compatible clients of @score/llm-clients) applies
 * these defaults.
 */
export interface GenerateOptions {
  /**
   * Most tokens to generate (an integer >= 0); generation also ends at the end-of-sequence token,
   * a stop sequence or the model's context length.
   * @defaultValue 256
   */
  readonly maxTokens?: number;
  /**
   * Sampling temperature (>= 0); 0 decodes greedily (the most likely token each step), so the
   * output is deterministic and `topP` and `seed` have no effect.
   * @defaultValue 0
   */
  readonly temperature?: number;
  /**
   * Nucleus sampling (in (0, 1]): sample among the most likely tokens whose probabilities add up
   * to `topP`. Only used when `temperature` > 0; 1 keeps every token.
   * @defaultValue 1
   */
  readonly topP?: number;
  /**
   * Texts that end the generation when produced; the result is cut before the first one.
   * @defaultValue [] (none)
   */
  readonly stop?: readonly string[];
  /**
   * Seed of the sampling (only used when `temperature` > 0): the same seed gives the same text on
   * the same backend and model.
   * @defaultValue undefined: the backend chooses (the in-process model uses 0; llama.cpp and HTTP
   *   servers pick their own, so sampled texts may differ from call to call)
   */
  readonly seed?: number;
  /**
   * Aborts the call; the promise then rejects with the signal's reason.
   * @defaultValue undefined (not abortable)
   */
  readonly signal?: AbortSignal;
}

/** Token counts of one call. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** What {@link LanguageModel.generate} returns. */
export interface GenerateResult {
  readonly text: string;
  readonly usage?: TokenUsage;
  readonly finishReason?: string;
}

/**
 * A Yes/No judgement (method.md, Eq. 14): P(yes) is the softmax over the next-token logits of
 * "Yes" and "No". For backends that only expose log-probabilities, the "logits" are those
 * log-probabilities (the softmax over the pair is the same).
 */
export interface YesNoScore {
  readonly probability: number;
  readonly yesLogit: number;
  readonly noLogit: number;
}

/** Options of {@link LanguageModel.scoreYesNo}. */
export interface ScoreYesNoOptions {
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** A language model: generates text and scores Yes/No prompts. */
export interface LanguageModel {
  /** Backend, e.g. "openai", "llamacpp", "inprocess". */
  readonly provider: string;
  readonly modelId: string;
  generate(prompt: string, options?: GenerateOptions): Promise<GenerateResult>;
  scoreYesNo(prompts: readonly string[], options?: ScoreYesNoOptions): Promise<YesNoScore[]>;
  dispose(): void | Promise<void>;
}
