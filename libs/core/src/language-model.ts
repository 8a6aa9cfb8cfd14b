/** Options of {@link LanguageModel.generate}. */
export interface GenerateOptions {
  readonly maxTokens?: number;
  /** 0 = greedy. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
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
