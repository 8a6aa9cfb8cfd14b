import { InvalidOptionError, checkInteger } from '@score/core';
/** What the budget needs of a tokenizer (any `@score/text-encoders` tokenizer or `@score/rec-lm` `RecLmTokenizer` fits). */
export interface PromptTokenizer {
  /** Token ids of `text`; the budget calls it with `addSpecialTokens: false` and adds `specialTokens` itself. */
  encode(text: string, options?: { readonly addSpecialTokens?: boolean }): { readonly ids: readonly number[] };
}

/** The from-scratch recommender LM's prompt budget, in tokens (special tokens included). */
export const DEFAULT_PROMPT_TOKEN_BUDGET = 256;

/** A prompt token budget. */
export interface TokenBudget {
  /** Tokenizer of the recommender LM. */
  readonly tokenizer: PromptTokenizer;
  /**
   * Most tokens of a prompt, special tokens included.
   * @defaultValue 256 ({@link DEFAULT_PROMPT_TOKEN_BUDGET})
   */
  readonly maxTokens?: number;
  /**
   * Tokens the model adds around a prompt (the scratch LM's `<bos>`).
   * @defaultValue 1
   */
  readonly specialTokens?: number;
}

/** Lengths of a set of prompts in tokens (special tokens included). */
export interface PromptTokenStatistics {
  /** Number of prompts measured. */
  readonly prompts: number;
  /** Mean length in tokens. */
  readonly mean: number;
  /** 95th percentile (nearest rank). */
  readonly p95: number;
  /** Longest prompt in tokens. */
  readonly max: number;
  /** Prompts longer than the budget. */
  readonly overBudget: number;
  /** The budget compared against. */
  readonly maxTokens: number;
}

/** A checked {@link TokenBudget}. */
export interface ResolvedTokenBudget {
  /** Tokenizer of the recommender LM. */
  readonly tokenizer: PromptTokenizer;
  /** Most tokens of a prompt, special tokens included. */
  readonly maxTokens: number;
  /** Tokens the model adds around a prompt. */
  readonly specialTokens: number;
}

/**
 * Checks a budget and fills its defaults.
 * @throws InvalidOptionError naming `tokenBudget.tokenizer`, `.maxTokens` or `.specialTokens`.
 */
export function resolveTokenBudget(budget: TokenBudget, field = 'tokenBudget'): ResolvedTokenBudget {
  if (budget === null || typeof budget !== 'object' || typeof budget.tokenizer?.encode !== 'function') {
    throw new InvalidOptionError(`${field}.tokenizer`, 'must be a tokenizer with an encode(text) method.', budget?.tokenizer);
  }
  const maxTokens = budget.maxTokens ?? DEFAULT_PROMPT_TOKEN_BUDGET;
  const specialTokens = budget.specialTokens ?? 1;
  checkInteger(`${field}.specialTokens`, specialTokens, 0);
  if (!Number.isInteger(maxTokens) || maxTokens <= specialTokens) {
    throw new InvalidOptionError(`${field}.maxTokens`, `must be an integer above the ${specialTokens} special token(s), got ${JSON.stringify(maxTokens)}.`, maxTokens);
  }
  return { tokenizer: budget.tokenizer, maxTokens, specialTokens };
}

/** Tokens of one prompt under a budget's tokenizer, special tokens included. */
export function countPromptTokens(prompt: string, budget: ResolvedTokenBudget): number {
  return budget.tokenizer.encode(prompt, { addSpecialTokens: false }).ids.length + budget.specialTokens;
}

/** Mean, p95 and max length in tokens of `prompts`, and how many exceed the budget. */
export function measurePromptTokens(prompts: readonly string[], budget: TokenBudget): PromptTokenStatistics {
  const resolved = resolveTokenBudget(budget);
  const lengths = prompts.map((prompt) => countPromptTokens(prompt, resolved)).sort((a, b) => a - b);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  return {
    prompts: lengths.length,
    mean: lengths.length === 0 ? 0 : total / lengths.length,
    p95: lengths.length === 0 ? 0 : lengths[Math.ceil(0.95 * lengths.length) - 1],
    max: lengths.length === 0 ? 0 : lengths[lengths.length - 1],
    overBudget: lengths.filter((length) => length > resolved.maxTokens).length,
    maxTokens: resolved.maxTokens,
  };
}

/** Item limits of one prompt: the target's history and each similar user's list. */
export interface PromptItemLimits {
  /** Most recent items of the target's history. */
  readonly historyItems: number;
  /** Most recent items of each similar user's list. */
  readonly behaviourItems: number;
}

/** A prompt fitted to a budget. */
export interface FittedPrompt extends PromptItemLimits {
  /** The filled prompt at these limits. */
  readonly prompt: string;
  /** Its length in tokens, special tokens included. */
  readonly tokens: number;
}

/** The limits the trimming rule steps through, from `start` down to 1 and 1 (see {@link fitPromptToBudget}). */
export function trimmingSteps(start: PromptItemLimits, itemCounts: PromptItemLimits): PromptItemLimits[] {
  let historyItems = Math.max(1, Math.min(start.historyItems, itemCounts.historyItems));
  let behaviourItems = Math.max(1, Math.min(start.behaviourItems, itemCounts.behaviourItems));
  const steps: PromptItemLimits[] = [{ historyItems, behaviourItems }];
  while (historyItems > 1 || behaviourItems > 1) {
    if (historyItems >= behaviourItems) historyItems -= 1;
    else behaviourItems -= 1;
    steps.push({ historyItems, behaviourItems });
  }
  return steps;
}

/**
 * Shortens a prompt until it fits the budget. The rule: start from the given limits (most recent
 * `historyItems` of the target's history, most recent `behaviourItems` of each similar user's
 * list, lowered to the items actually available in `itemCounts`); while the prompt is over budget,
 * take one item off whichever limit is larger (the history on a tie), never going below 1; the
 * result is the first step of that sequence ({@link trimmingSteps}) that fits. When not even 1 and
 * 1 fit, that prompt is returned over budget (the model's prompt encoder then cuts it from the
 * left). Oldest items always go first, so what stays is the most recent behaviour.
 *
 * Token counts fall as items are dropped, so the first fitting step is found with few
 * tokenizations: around `estimate`'s guess when one is given (a cheap token count of a step, e.g.
 * the full prompt's minus the dropped items'), else by bisection.
 */
export function fitPromptToBudget(
  build: (limits: PromptItemLimits) => string,
  start: PromptItemLimits,
  itemCounts: PromptItemLimits,
  budget: ResolvedTokenBudget,
  estimate?: (limits: PromptItemLimits) => number,
): FittedPrompt {
  const steps = trimmingSteps(start, itemCounts);
  const measured = new Map<number, FittedPrompt>();
  const at = (index: number): FittedPrompt => {
    let fitted = measured.get(index);
    if (fitted === undefined) {
      const prompt = build(steps[index]);
      fitted = { prompt, tokens: countPromptTokens(prompt, budget), ...steps[index] };
      measured.set(index, fitted);
    }
    return fitted;
  };
  const fits = (index: number) => at(index).tokens <= budget.maxTokens;
  const last = steps.length - 1;
  if (fits(0)) return at(0);
  if (!fits(last)) return at(last);
  // Invariant: steps[low] is over budget, steps[high] fits.
  let low = 0;
  let high = last;
  if (estimate !== undefined) {
    let guess = steps.findIndex((limits) => estimate(limits) <= budget.maxTokens);
    guess = Math.min(Math.max(guess === -1 ? last : guess, 1), last);
    // The guess and its neighbour usually settle it; bisection finishes otherwise.
    if (fits(guess)) {
      high = guess;
      if (high - 1 > low) {
        if (fits(high - 1)) high -= 1;
        else low = high - 1;
      }
    } else {
      low = guess;
      if (low + 1 < high) {
        if (fits(low + 1)) high = low + 1;
        else low += 1;
      }
    }
  }
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (fits(middle)) high = middle;
    else low = middle;
  }
  return at(high);
}
