// SARE reranking with @score/sare-reranker: trains the reranker's encoder on toy orders (the
// candidate that names the query's word should come first; method.md, Eq. 10-12) and reranks a
// candidate list, keeping the top K_s = 2.
import { trainSare } from '@score/sare-reranker';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';

const words = ['apple', 'river', 'stone', 'cloud', 'ember', 'frost', 'grove', 'harbor', 'island', 'jungle', 'kettle', 'lantern', 'meadow', 'nectar', 'orchid', 'pepper'];
const example = (i: number) => {
  const word = words[i % words.length];
  const others = words.filter((other) => other !== word).slice(i % 7, (i % 7) + 6);
  return {
    query: `the user would enjoy ${word}`,
    candidates: [{ id: 'match', text: `${word} ${others[0]}` }, ...others.slice(1).map((other, j) => ({ id: `o${j}`, text: `${other} ${others[(j + 2) % 6]}` }))],
  };
};
const examples = Array.from({ length: 32 }, (_, i) => example(i));
const validation = Array.from({ length: 8 }, (_, i) => example(i + 3));

const tokenizer = trainTokenizer({ texts: [...words, 'the user would enjoy'], vocabSize: 200, kind: 'wordpiece' });
const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 16, dimensions: 16, maxLength: 16, seed: 2 });
const report = await trainSare({ encoder, examples, validation, negativeThreshold: 2, negatives: 2, epochs: 6, patience: 6, batchSize: 8, learningRate: 0.01, seed: 1 });
console.log(`validation NDCG ${report.validationBefore.ndcg.toFixed(3)} -> ${report.validationAfter.ndcg.toFixed(3)}`);
console.log(report.validationAfter.ndcg > report.validationBefore.ndcg); // true

const top = await report.reranker.rerank('the user would enjoy apple', example(0).candidates, 2);
console.log(top.length); // 2
report.reranker.dispose();
