export { describeItem, quoteText } from './describe-item';
export type { DescribeItemOptions } from './describe-item';
export { describeHistory } from './describe-history';
export type { DescribeHistoryOptions } from './describe-history';
export { PromptTemplate, createPromptTemplate, templatePlaceholders } from './prompt-template';
export type { PromptTemplateOptions } from './prompt-template';
export { DOMAIN_PRESETS, resolveDomain } from './domain-presets';
export type { DomainPreset } from './domain-presets';
export {
  BASIC_TEMPLATE,
  CI_TEMPLATE,
  DOMAIN_PLACEHOLDERS,
  HISTORY_LIST,
  PROMPT_PLACEHOLDERS,
  SELF_ASSESS_TEMPLATE,
  SIMILAR_BEHAVIOUR_LISTS,
  TARGET_ITEM,
} from './templates';
export type { PromptKind } from './templates';
export { basicPrompt, ciPrompt, createPromptSet, formatSimilarBehaviourLists, selfAssessPrompt } from './prompt-set';
export type { CiPromptInput, PromptInput, PromptSet, PromptSetOptions } from './prompt-set';
export { behaviourEntries, recentBehaviour } from './recent-behaviour';
export {
  DEFAULT_KEPT,
  DEFAULT_RETRIEVED,
  evaluationPromptSets,
  PROMPT_VARIANT_IDS,
  PROMPT_VARIANTS,
  promptSetName,
  resolvePromptSetSpec,
} from './prompt-variants';
export type { EvaluationPromptSetsOptions, PromptSetSpec, PromptVariantDefinition, PromptVariantId, ResolvedPromptSetSpec, RetrieverKind } from './prompt-variants';
export { buildPromptSet } from './build-prompt-set';
export type { BuildPromptSetOptions, PromptRecord, SimilarUser } from './build-prompt-set';
export { corpusSnapshotTimes, RetrievalCache, snapshotOf } from './retrieval-cache';
export {
  countPromptTokens,
  DEFAULT_PROMPT_TOKEN_BUDGET,
  fitPromptToBudget,
  measurePromptTokens,
  resolveTokenBudget,
  trimmingSteps,
} from './token-budget';
export type { FittedPrompt, PromptItemLimits, PromptTokenizer, PromptTokenStatistics, ResolvedTokenBudget, TokenBudget } from './token-budget';
export { createScorePromptWriter } from './score-prompt-writer';
export type { ScorePromptWriter, ScorePromptWriterOptions } from './score-prompt-writer';
