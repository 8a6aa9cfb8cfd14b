// The stage interfaces and errors of @score/core: any object with the `Reranker` shape can replace
// SARE in the pipeline; matrices are row-major Float32Arrays; every error thrown on purpose is a
// `ScoreError` whose message names the file, line and field, with a `code` and a brand check
// (`isInstance`) that works across copies of the package.
import { createMatrix, DataFormatError, InvalidOptionError, matrixRow, type Reranker, ScoreError } from '@score/core';

// Any object with this shape can replace SARE in the pipeline.
const byLength: Reranker = {
  modelId: 'shortest-first',
  async rerank(_query, candidates, topK) {
    return [...candidates].sort((a, b) => a.text.length - b.text.length).slice(0, topK).map((c) => ({ ...c, score: -c.text.length }));
  },
  dispose() {},
};
const top = await byLength.rerank('P^b', [{ id: 'u1', text: '"Alien", "Heat"' }, { id: 'u2', text: '"Up"' }], 1);
console.log(top[0]!.id); // u2

const m = createMatrix(2, 2, Float32Array.from([1, 2, 3, 4]));
console.log(JSON.stringify(Array.from(matrixRow(m, 1)))); // [3,4]

const error = new DataFormatError('rating "x" is not a number', { path: 'ratings.dat', line: 7, field: 'rating' });
console.log(error.message); // ratings.dat, line 7, field "rating": rating "x" is not a number
console.log(error instanceof ScoreError && error.code); // DATA_FORMAT
console.log(JSON.stringify([ScoreError.isInstance(error), DataFormatError.isInstance(error), InvalidOptionError.isInstance(error)])); // [true,true,false]
