export { fallbackRate } from './fallback-rates';
export type { FallbackRate } from './fallback-rates';
export { PROMPTS_FOLDER, promptFilePath, readPromptFile, writePromptFile } from './prompt-files';
export { behaviourEntries, recentBehaviour } from '@score/prompt-kit';
export { itemKnowledgeTexts, pretrainingCorpus, pretrainingTexts, titleTokens } from './pretraining-texts';
export type { PretrainingCorpus } from './pretraining-texts';
