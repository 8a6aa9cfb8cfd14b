import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainTokenizer } from '../train-tokenizer';
import type { Tokenizer } from '../tokenizer';

/** A tiny corpus of behaviour-like texts for tests. */
export const TEST_CORPUS: readonly string[] = [
  'The user has watched the following movies: Toy Story, Jumanji, Heat.',
  'The user has highly rated the following movies: Heat, Casino, Toy Story 2.',
  'Would the user enjoy the movie titled Jumanji? Respond with either Yes or No.',
  'Other users with similar preferences have given high ratings to the movies: Heat, Casino.',
  'the movies the movies the users the user watched watched rated rated',
];

/** A fresh temporary folder. */
export function makeTempDir(prefix = 'score-text-encoders-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A small WordPiece tokenizer trained on {@link TEST_CORPUS}. */
export function makeTestTokenizer(vocabSize = 90): Tokenizer {
  return trainTokenizer({ texts: TEST_CORPUS, vocabSize, kind: 'wordpiece', requiredTokens: ['Yes', 'No'] });
}
