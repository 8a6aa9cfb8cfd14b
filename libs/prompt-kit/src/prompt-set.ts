import { InvalidOptionError, checkOptionalObject, describeValue } from '@score/core';
import type { Domain, Item } from '@score/core';
import { type DescribeHistoryOptions, describeHistory } from './describe-history';
import { describeItem, quoteText } from './describe-item';
import { type DomainPreset, resolveDomain } from './domain-presets';
import { PromptTemplate } from './prompt-template';
import { BASIC_TEMPLATE, CI_TEMPLATE, PROMPT_PLACEHOLDERS, type PromptKind, SELF_ASSESS_TEMPLATE } from './templates';
import { checkItem } from './validate';

/** Input of the basic and self-assessing prompts. */
export interface PromptInput {
  /** A domain name with a preset ("movies", "games", "books") or a custom {@link DomainPreset}. */
  readonly domain: Domain | DomainPreset;
  /**
   * The target user's history, oldest first, described with {@link describeHistory}; or a text
   * that is inserted verbatim (e.g. one already made by `describeHistory`).
   */
  readonly history: readonly Item[] | string;
  /**
   * The target item, described with {@link describeItem} and put in double quotes
   * ({@link quoteText}); or a text inserted verbatim.
   */
  readonly target: Item | string;
  /**
   * How items are described: `maxItems`, `maxChars`, `separator` and `attributes` of
   * {@link describeHistory} (also applied to similar users' item lists); `attributes` also
   * applies to the target.
   * @defaultValue {} (the defaults of describeHistory: 20 most recent items, titles only)
   */
  readonly description?: DescribeHistoryOptions;
}

/** Input of the CI-augmented prompt P^s. */
export interface CiPromptInput extends PromptInput {
  /**
   * The K_s similar users' behaviours, best first: each a text (e.g. a retrieved user's
   * `behaviour`, inserted verbatim) or a list of items (described like the history). Each is
   * written in square brackets and they are joined by ", ", following method.md's
   * `<SimilarBehaviorList_1>, ... <SimilarBehaviorList_Ks>`: `["A", "B"], ["C"]`. At least one.
   */
  readonly similarBehaviours: readonly (string | readonly Item[])[];
}

/** Templates to use instead of the paper's; each is checked against its kind's placeholders. */
export interface PromptSetOptions {
  /**
   * Basic prompt P^b; must contain {{HistoryList}} and {{TargetItem}}, may contain {{ItemNoun}},
   * {{ItemNounPlural}}, {{ConsumedVerb}}.
   * @defaultValue BASIC_TEMPLATE
   */
  readonly basic?: string;
  /**
   * CI-augmented prompt P^s; as `basic`, plus the required {{SimilarBehaviourLists}}.
   * @defaultValue CI_TEMPLATE
   */
  readonly ci?: string;
  /**
   * Self-assessing prompt; placeholders as `basic`.
   * @defaultValue SELF_ASSESS_TEMPLATE
   */
  readonly selfAssess?: string;
}

/** The three prompts of SCoRe built from one set of templates. */
export interface PromptSet {
  /** The checked templates. */
  readonly templates: Readonly<Record<PromptKind, PromptTemplate>>;
  /** P^b filled for a target user and item (SARE's query p_t, method.md Eq. 10). */
  basicPrompt(input: PromptInput): string;
  /** P^s filled with the K_s similar behaviours (method.md Stage 3). */
  ciPrompt(input: CiPromptInput): string;
  /** The self-assessing prompt (method.md Eq. 7). */
  selfAssessPrompt(input: PromptInput): string;
}

/**
 * A prompt set from custom templates (any left out keeps the paper's). Every template is checked
 * when the set is built: an unknown placeholder or a missing required one throws.
 *
 * @throws InvalidOptionError naming `templates.basic`, `templates.ci` or `templates.selfAssess`.
 */
export function createPromptSet(options: PromptSetOptions = {}): PromptSet {
  checkOptionalObject('templates', options);
  const build = (kind: PromptKind, text: string) =>
    new PromptTemplate(text, { ...PROMPT_PLACEHOLDERS[kind], name: `templates.${kind}` });
  const templates = Object.freeze({
    basic: build('basic', options.basic ?? BASIC_TEMPLATE),
    ci: build('ci', options.ci ?? CI_TEMPLATE),
    selfAssess: build('selfAssess', options.selfAssess ?? SELF_ASSESS_TEMPLATE),
  });
  return {
    templates,
    basicPrompt: (input) => templates.basic.fill(commonValues(input)),
    ciPrompt: (input) => templates.ci.fill({ ...commonValues(input), SimilarBehaviourLists: similarLists(input) }),
    selfAssessPrompt: (input) => templates.selfAssess.fill(commonValues(input)),
  };
}

/**
 * Formats K_s similar behaviours for P^s: each in square brackets, joined by ", ".
 * Item lists are described with {@link describeHistory} and `description`.
 * @throws InvalidOptionError when the list is empty or an entry is neither a text nor an item list.
 */
export function formatSimilarBehaviourLists(
  similarBehaviours: readonly (string | readonly Item[])[],
  description: DescribeHistoryOptions = {},
): string {
  if (!Array.isArray(similarBehaviours) || similarBehaviours.length === 0) {
    throw new InvalidOptionError(
      'similarBehaviours',
      `must hold at least one similar user's behaviour (K_s >= 1), got ${describeValue(similarBehaviours)}; use the basic prompt when there is none.`,
      similarBehaviours,
    );
  }
  return similarBehaviours
    .map((behaviour, index) => {
      if (typeof behaviour === 'string') return `[${behaviour}]`;
      if (Array.isArray(behaviour)) return `[${describeHistory(behaviour, description)}]`;
      throw new InvalidOptionError(
        `similarBehaviours[${index}]`,
        `must be a text or a list of items, got ${describeValue(behaviour)}.`,
        behaviour,
      );
    })
    .join(', ');
}

const defaultSet = createPromptSet();

/**
 * The paper's basic prompt P^b for a target user and item.
 * @example basicPrompt({ domain: 'movies', history: [toyStory], target: heat })
 * // The user has highly rated the following movies: "Toy Story (1995)". Based on this information,
 * // predict whether the user would enjoy the movie titled "Heat (1995)". Respond with either 'Yes' or 'No'.
 */
export function basicPrompt(input: PromptInput): string {
  return defaultSet.basicPrompt(input);
}

/** The paper's CI-augmented prompt P^s (see {@link CiPromptInput.similarBehaviours} for the lists' format). */
export function ciPrompt(input: CiPromptInput): string {
  return defaultSet.ciPrompt(input);
}

/** The paper's self-assessing prompt (method.md Eq. 7). */
export function selfAssessPrompt(input: PromptInput): string {
  return defaultSet.selfAssessPrompt(input);
}

function commonValues(input: PromptInput): Record<string, string> {
  if (input === null || typeof input !== 'object') {
    throw new InvalidOptionError('input', `must be an object with domain, history and target, got ${describeValue(input)}.`, input);
  }
  checkOptionalObject('description', input.description);
  const description = input.description ?? {};
  const preset = resolveDomain(input.domain);
  return {
    ItemNoun: preset.itemNoun,
    ItemNounPlural: preset.itemNounPlural,
    ConsumedVerb: preset.consumedVerb,
    HistoryList: typeof input.history === 'string' ? input.history : describeHistoryField(input.history, description),
    TargetItem:
      typeof input.target === 'string'
        ? input.target
        : quoteText(describeItem(checkItem('target', input.target), { attributes: description.attributes })),
  };
}

function describeHistoryField(history: unknown, description: DescribeHistoryOptions): string {
  if (!Array.isArray(history)) {
    throw new InvalidOptionError('history', `must be a list of items (oldest first) or a text, got ${describeValue(history)}.`, history);
  }
  return describeHistory(history, description);
}

function similarLists(input: CiPromptInput): string {
  return formatSimilarBehaviourLists(input.similarBehaviours, input.description ?? {});
}
