import { InvalidOptionError, ModelMismatchError } from '@score/core';
import type { RecLmTokenizer } from './rec-lm-tokenizer';

/** The answer words whose next-token logits give P(yes) (method.md, Eq. 14). */
export interface AnswerWords {
  /** @defaultValue "Yes" */
  readonly yes?: string;
  /** @defaultValue "No" */
  readonly no?: string;
}

/** Token ids of the two answers. */
export interface AnswerTokenIds {
  readonly yes: number;
  readonly no: number;
}

/**
 * The single-token ids of the answers. Throws `ModelMismatchError` when the tokenizer splits an
 * answer into several tokens (or none), or maps both answers to the same id.
 */
export function resolveAnswerTokens(tokenizer: RecLmTokenizer, words: AnswerWords = {}): AnswerTokenIds {
  const resolve = (field: 'yes' | 'no', word: string): number => {
    if (typeof word !== 'string' || word.length === 0) throw new InvalidOptionError(`answers.${field}`, `must be a non-empty string, got ${JSON.stringify(word)}.`, word);
    const ids = tokenizer.encode(word, { addSpecialTokens: false }).ids;
    if (ids.length !== 1) {
      throw new ModelMismatchError(
        `the tokenizer encodes the answer ${JSON.stringify(word)} as ${ids.length} tokens [${ids.join(', ')}]; Yes/No scoring needs each answer to be a single token. Train the tokenizer with requiredTokens ["Yes", "No"] or choose answer words that are single tokens.`,
        { expected: 1, actual: ids.length },
      );
    }
    return ids[0]!;
  };
  const yes = resolve('yes', words.yes ?? 'Yes');
  const no = resolve('no', words.no ?? 'No');
  if (yes === no) throw new ModelMismatchError(`the tokenizer maps both answers to token ${yes}; they must differ.`, { actual: yes });
  return { yes, no };
}
