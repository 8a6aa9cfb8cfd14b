import type { YesNoScore } from '@score/core';

/** A candidate next token with its log-probability, as listed by a backend. */
export interface TokenLogprob {
  readonly token: string;
  readonly logprob: number;
}

/** log(sum(exp(values))), computed stably; -Infinity for an empty list. */
export function logSumExp(values: readonly number[]): number {
  if (values.length === 0) return Number.NEGATIVE_INFINITY;
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return max + Math.log(sum);
}

/** P(yes) as the softmax over the two logits (method.md, Eq. 14). */
export function yesNoFromLogits(yesLogit: number, noLogit: number): YesNoScore {
  // Eq. 14: softmax over [yes, no], written as a logistic of the difference for stability.
  const probability = 1 / (1 + Math.exp(noLogit - yesLogit));
  return { probability, yesLogit, noLogit };
}

/** Whether a token's text is a variant of `answer`: equal after trimming white space (and "▁"). */
export function isAnswerToken(token: string, answer: 'Yes' | 'No', caseInsensitive: boolean): boolean {
  const text = token.replaceAll('\u2581', ' ').replaceAll('\u0120', ' ').trim();
  return caseInsensitive ? text.toLowerCase() === answer.toLowerCase() : text === answer;
}

/**
 * P(yes) from the top log-probabilities of the first generated position (method.md, Eq. 14).
 *
 * Every listed variant of "Yes" (" Yes", "Yes", ...) is combined by log-sum-exp, and likewise for
 * "No". When only one of the two answers is listed, the other is known to be below the lowest
 * listed log-probability; it is then taken as that lowest value minus log(2). Returns `undefined`
 * when neither answer is listed.
 */
export function yesNoFromTopLogprobs(entries: readonly TokenLogprob[], caseInsensitive = false): YesNoScore | undefined {
  const yes = entries.filter((entry) => isAnswerToken(entry.token, 'Yes', caseInsensitive)).map((entry) => entry.logprob);
  const no = entries.filter((entry) => isAnswerToken(entry.token, 'No', caseInsensitive)).map((entry) => entry.logprob);
  if (yes.length === 0 && no.length === 0) return undefined;
  const floor = Math.min(...entries.map((entry) => entry.logprob)) - Math.LN2;
  const yesLogit = yes.length > 0 ? logSumExp(yes) : floor;
  const noLogit = no.length > 0 ? logSumExp(no) : floor;
  return yesNoFromLogits(yesLogit, noLogit);
}
