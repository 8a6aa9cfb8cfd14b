/** Placeholder of the described target history d(H(u_t)) (method.md `<HistoryList>`). */
export const HISTORY_LIST = 'HistoryList';
/** Placeholder of the described target item d(v_t) (method.md `<TargetItem>`). */
export const TARGET_ITEM = 'TargetItem';
/**
 * Placeholder of the K_s similar-user lists (method.md `<SimilarBehaviorList_1>, ... <SimilarBehaviorList_Ks>`,
 * the paper's notation and spelling; prompt-kit spells "behaviour" one way in its own names).
 */
export const SIMILAR_BEHAVIOUR_LISTS = 'SimilarBehaviourLists';

/** Domain placeholders every template may use; filled from the domain preset. */
export const DOMAIN_PLACEHOLDERS: readonly string[] = Object.freeze(['ItemNoun', 'ItemNounPlural', 'ConsumedVerb']);

/**
 * Basic recommendation prompt P^b (method.md, "Basic prompt P^b"; paper Sec. 3.3), with the
 * domain nouns as placeholders.
 */
export const BASIC_TEMPLATE =
  "The user has highly rated the following {{ItemNounPlural}}: {{HistoryList}}. Based on this information, predict whether the user would enjoy the {{ItemNoun}} titled {{TargetItem}}. Respond with either 'Yes' or 'No'.";

/** CI-augmented recommendation prompt P^s (method.md, "CI-augmented prompt P^s"; paper Sec. 3.4). */
export const CI_TEMPLATE =
  "The user has highly rated the following {{ItemNounPlural}}: {{HistoryList}}. Other users with similar preferences have given high ratings to the {{ItemNounPlural}}: {{SimilarBehaviourLists}}. Based on this information, predict whether the user would enjoy the {{ItemNoun}} titled {{TargetItem}}. Respond with either 'Yes' or 'No'.";

/** Self-assessing prompt (method.md, Stage 2 step 1, Eq. 7; paper Sec. 3.3). */
export const SELF_ASSESS_TEMPLATE =
  'The user has {{ConsumedVerb}} the following {{ItemNounPlural}}: {{HistoryList}}. However, based on this list alone, it is not possible to confidently predict whether they would enjoy the {{ItemNoun}} {{TargetItem}}. What other genres or characteristics related to their preferences, apart from the given history, could help in making a more informed decision?';

/** The three prompt kinds. */
export type PromptKind = 'basic' | 'ci' | 'selfAssess';

/** Required and optional placeholders of each prompt kind (custom templates are checked against these). */
export const PROMPT_PLACEHOLDERS: Readonly<Record<PromptKind, { readonly required: readonly string[]; readonly optional: readonly string[] }>> =
  Object.freeze({
    basic: Object.freeze({ required: Object.freeze([HISTORY_LIST, TARGET_ITEM]), optional: DOMAIN_PLACEHOLDERS }),
    ci: Object.freeze({ required: Object.freeze([HISTORY_LIST, SIMILAR_BEHAVIOUR_LISTS, TARGET_ITEM]), optional: DOMAIN_PLACEHOLDERS }),
    selfAssess: Object.freeze({ required: Object.freeze([HISTORY_LIST, TARGET_ITEM]), optional: DOMAIN_PLACEHOLDERS }),
  });
