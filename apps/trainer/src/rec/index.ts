export {
  DEFAULT_KEPT,
  DEFAULT_RETRIEVED,
  evaluationPromptSets,
  PROMPT_VARIANT_IDS,
  PROMPT_VARIANTS,
  promptSetName,
  resolvePromptSetSpec,
} from './prompt-variants';
export type { EvaluationPromptSetsOptions, PromptSetSpec, PromptVariantDefinition, PromptVariantId, ResolvedPromptSetSpec } from './prompt-variants';
export { buildPromptSet } from './build-prompts';
export type { BuildPromptSetOptions, PromptRecord, SimilarUser } from './build-prompts';
export { corpusSnapshotTimes, RetrievalCache, snapshotOf } from './retrieval-cache';
export { fallbackRate } from './fallback-rates';
export type { FallbackRate } from './fallback-rates';
export { PROMPTS_FOLDER, promptFilePath, readPromptFile, writePromptFile } from './prompt-files';
export {
  countPromptTokens,
  DEFAULT_PROMPT_TOKEN_BUDGET,
  fitPromptToBudget,
  measurePromptTokens,
  resolveTokenBudget,
  trimmingSteps,
} from './token-budget';
export type { FittedPrompt, PromptItemLimits, PromptTokenizer, PromptTokenStatistics, ResolvedTokenBudget, TokenBudget } from './token-budget';
export { behaviourEntries, recentBehaviour } from '@score/prompt-kit';
export { itemKnowledgeTexts, pretrainingCorpus, pretrainingTexts, titleTokens } from './pretraining-texts';
export type { PretrainingCorpus } from './pretraining-texts';
