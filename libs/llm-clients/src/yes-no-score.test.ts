import { describe, expect, it } from 'vitest';
import { isAnswerToken, logSumExp, yesNoFromLogits, yesNoFromTopLogprobs } from './yes-no-score';

describe('yes/no scoring (method.md, Eq. 14)', () => {
  it('is the softmax over the two logits', () => {
    const score = yesNoFromLogits(2, 1);
    expect(score.probability).toBeCloseTo(Math.exp(2) / (Math.exp(2) + Math.exp(1)), 15);
    expect(yesNoFromLogits(0, 0).probability).toBe(0.5);
    expect(yesNoFromLogits(1000, -1000).probability).toBe(1);
    expect(yesNoFromLogits(-1000, 1000).probability).toBe(0);
  });

  it('computes log-sum-exp stably', () => {
    expect(logSumExp([Math.log(1), Math.log(3)])).toBeCloseTo(Math.log(4), 15);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.log(2), 10);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
  });

  it('matches answer variants after trimming spaces and SentencePiece/BPE space marks', () => {
    expect(['Yes', ' Yes', '▁Yes', 'ĠYes', 'Yes\n'].every((token) => isAnswerToken(token, 'Yes', false))).toBe(true);
    expect(isAnswerToken('yes', 'Yes', false)).toBe(false);
    expect(isAnswerToken('YES', 'Yes', true)).toBe(true);
    expect(isAnswerToken('Yesterday', 'Yes', true)).toBe(false);
  });

  it('combines variants and bounds a missing answer', () => {
    const both = yesNoFromTopLogprobs([
      { token: 'Yes', logprob: Math.log(0.3) },
      { token: ' Yes', logprob: Math.log(0.1) },
      { token: 'No', logprob: Math.log(0.2) },
    ]);
    expect(both?.probability).toBeCloseTo(0.4 / 0.6, 12);
    const onlyNo = yesNoFromTopLogprobs([
      { token: 'No', logprob: Math.log(0.5) },
      { token: 'Maybe', logprob: Math.log(0.1) },
    ]);
    expect(onlyNo?.yesLogit).toBeCloseTo(Math.log(0.05), 12);
    expect(onlyNo?.probability).toBeCloseTo(0.05 / 0.55, 12);
    expect(yesNoFromTopLogprobs([{ token: 'Maybe', logprob: -0.1 }])).toBeUndefined();
  });
});
