import type { RecLmTokenizer } from '../rec-lm-tokenizer';

/**
 * A deterministic test tokenizer: ids 0..2 are <pad>, <s>, </s>; then optional whole words
 * (e.g. "Yes", "No"), matched first; then one id per character of `alphabet`.
 */
export function charTokenizer(alphabet: string, words: readonly string[] = []): RecLmTokenizer {
  const vocab = ['<pad>', '<s>', '</s>', ...words, ...Array.from(alphabet)];
  const ids = new Map(vocab.map((token, id) => [token, id]));
  return {
    vocabSize: vocab.length,
    specialTokens: { pad: 0, bos: 1, eos: 2 },
    encode(text: string) {
      const out: number[] = [];
      let i = 0;
      outer: while (i < text.length) {
        for (const word of words) {
          if (text.startsWith(word, i)) {
            out.push(ids.get(word)!);
            i += word.length;
            continue outer;
          }
        }
        const id = ids.get(text[i]!);
        if (id === undefined) throw new Error(`character ${JSON.stringify(text[i])} is not in the test alphabet`);
        out.push(id);
        i += 1;
      }
      return { ids: out };
    },
    decode(tokens: readonly number[], options: { skipSpecialTokens?: boolean } = {}) {
      return tokens
        .filter((id) => !(options.skipSpecialTokens !== false && id < 3))
        .map((id) => vocab[id] ?? '')
        .join('');
    },
  };
}
