import { InvalidOptionError, type Item, checkInteger, checkIntegerOrInfinity } from '@score/core';
import type { DescribeHistoryOptions } from './describe-history';
import { describeItem, quoteText } from './describe-item';
import { basicPrompt, ciPrompt, type PromptSet } from './prompt-set';
import { behaviourEntries, recentBehaviour } from './recent-behaviour';
import { countPromptTokens, fitPromptToBudget, resolveTokenBudget, trimmingSteps, type PromptItemLimits, type ResolvedTokenBudget, type TokenBudget } from './token-budget';

/** Options of {@link createScorePromptWriter}: how the recommender LM's prompts are written. */
export interface ScorePromptWriterOptions {
  /** The dataset's domain (a preset name such as "movie", or a custom domain). */
  readonly domain: string;
  /**
   * Most recent items of the target's history in the prompt.
   * @defaultValue 20
   */
  readonly maxHistoryItems?: number;
  /**
   * Most recent items of each similar user's list in P^s (`Infinity` keeps the retriever's text).
   * @defaultValue Infinity
   */
  readonly maxBehaviourItems?: number;
  /**
   * How the kept history items are written (`maxItems` is ignored: {@link ScorePromptWriterOptions.maxHistoryItems} cuts the history).
   * @defaultValue {} (titles in quotes, joined by ", ")
   */
  readonly description?: Omit<DescribeHistoryOptions, 'maxItems'>;
  /**
   * When given, each prompt is shortened to fit (see `fitPromptToBudget` for the rule).
   * @defaultValue none (no token limit)
   */
  readonly tokenBudget?: TokenBudget;
  /**
   * Custom templates (`createPromptSet`).
   * @defaultValue the paper's P^b and P^s
   */
  readonly promptSet?: Pick<PromptSet, 'basicPrompt' | 'ciPrompt'>;
}

/**
 * Writes the prompts of method.md Stage 3 for one (history, target) pair, the same way for
 * training, evaluation and serving: `buildPromptSet` (the trainer's rec and eval stages) and the
 * inference service both write through it, so a served prompt equals the evaluated one.
 */
export interface ScorePromptWriter {
  /** The resolved most recent history items written. */
  readonly maxHistoryItems: number;
  /** The resolved most recent items of each similar user's list. */
  readonly maxBehaviourItems: number;
  /** The resolved token budget, when one was given. */
  readonly tokenBudget?: ResolvedTokenBudget;
  /**
   * P^b of the pair, SARE's query p_t = Enc(P^b(d(H(u_t)), d(v_t))) (method.md Eq. 10): the most
   * recent `maxHistoryItems` of `history` (oldest first), never trimmed to the token budget.
   */
  query(history: readonly Item[], target: Item): string;
  /**
   * The recommender LM's prompt: P^s filled with `behaviours` (the kept similar users' behaviour
   * texts, best first; each cut to its most recent `maxBehaviourItems`), or P^b when there are none;
   * shortened to the token budget when one is set.
   */
  write(history: readonly Item[], target: Item, behaviours: readonly string[]): string;
}

/**
 * Checks the options once and returns a {@link ScorePromptWriter}. Token counts of history and
 * behaviour entries are memoised inside the writer, so one writer serves many prompts cheaply.
 * @throws InvalidOptionError naming `maxHistoryItems`, `maxBehaviourItems` or a `tokenBudget` field.
 */
export function createScorePromptWriter(options: ScorePromptWriterOptions): ScorePromptWriter {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'must be an object.');
  const { domain } = options;
  const maxHistoryItems = checkInteger('maxHistoryItems', options.maxHistoryItems ?? 20, 1);
  const maxBehaviourItems = checkIntegerOrInfinity('maxBehaviourItems', options.maxBehaviourItems ?? Number.POSITIVE_INFINITY);
  const budget = options.tokenBudget === undefined ? undefined : resolveTokenBudget(options.tokenBudget);
  const prompts = options.promptSet ?? { basicPrompt, ciPrompt };
  const description = { ...options.description, maxItems: Number.POSITIVE_INFINITY };
  const tokenCounts = new Map<string, number>();
  const entryTokens = (entry: string): number => {
    let count = tokenCounts.get(entry);
    if (count === undefined) {
      count = (budget as ResolvedTokenBudget).tokenizer.encode(`${entry}, `, { addSpecialTokens: false }).ids.length;
      tokenCounts.set(entry, count);
    }
    return count;
  };
  const recent = (history: readonly Item[], items: number) => history.slice(Math.max(0, history.length - items));
  const fill = (history: readonly Item[], target: Item, behaviours: readonly string[] | undefined): string =>
    behaviours === undefined || behaviours.length === 0
      ? prompts.basicPrompt({ domain, history, target, description })
      : prompts.ciPrompt({ domain, history, target, description, similarBehaviours: behaviours });
  return {
    maxHistoryItems,
    maxBehaviourItems,
    ...(budget === undefined ? {} : { tokenBudget: budget }),
    query: (history, target) => fill(recent(history, maxHistoryItems), target, undefined),
    write: (history, target, behaviours) =>
      fitPrompt((items, texts) => fill(recent(history, items), target, texts), recent(history, maxHistoryItems), behaviours, maxBehaviourItems, budget, entryTokens),
  };
}

/** The prompt at the writer's limits, or the first step of the trimming rule that fits the budget. */
function fitPrompt(
  fill: (historyItems: number, behaviours: readonly string[] | undefined) => string,
  history: readonly Item[],
  behaviours: readonly string[],
  maxBehaviourItems: number,
  budget: ResolvedTokenBudget | undefined,
  entryTokens: (entry: string) => number,
): string {
  const cut = (limit: number) => behaviours.map((text) => recentBehaviour(text, limit));
  if (budget === undefined) return fill(history.length, cut(maxBehaviourItems));
  const historyEntries = history.map((item) => quoteText(describeItem(item)));
  const lists = behaviours.map((text) => behaviourEntries(text) ?? []);
  const longest = lists.reduce((most, entries) => Math.max(most, entries.length), 1);
  const start: PromptItemLimits = { historyItems: historyEntries.length, behaviourItems: maxBehaviourItems };
  const counts: PromptItemLimits = { historyItems: Math.max(1, historyEntries.length), behaviourItems: longest };
  const first = trimmingSteps(start, counts)[0];
  // Tokens dropped with the oldest entries of a list: dropped[k] = tokens of its k oldest kept entries.
  const droppedTokens = (entries: readonly string[], limit: number): number[] => {
    const kept = entries.slice(Math.max(0, entries.length - limit));
    const sums = [0];
    for (const entry of kept) sums.push(sums[sums.length - 1] + entryTokens(entry));
    return sums;
  };
  const historyDropped = droppedTokens(historyEntries, first.historyItems);
  const listDropped = lists.map((entries) => droppedTokens(entries, first.behaviourItems));
  let fullTokens: number | undefined;
  const estimate = (limits: PromptItemLimits): number => {
    fullTokens ??= countPromptTokens(fill(first.historyItems, cut(first.behaviourItems)), budget);
    let tokens = fullTokens - historyDropped[Math.max(0, Math.min(historyDropped.length - 1, historyDropped.length - 1 - limits.historyItems))];
    for (const sums of listDropped) tokens -= sums[Math.max(0, Math.min(sums.length - 1, sums.length - 1 - limits.behaviourItems))];
    return tokens;
  };
  return fitPromptToBudget((limits) => fill(limits.historyItems, cut(limits.behaviourItems)), start, counts, budget, estimate).prompt;
}
