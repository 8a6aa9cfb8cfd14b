import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createLlamaCppModel, createResponseCache, withCache } from './index';
import { writeTinyLlamaGguf } from './testing';

it('runs the README example, which is copied verbatim into README.md', async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-readme-'));
  const modelPath = path.join(runDir, 'tiny.gguf');
  // README:start
  await writeTinyLlamaGguf(modelPath, { seed: 1 });
  const cache = await createResponseCache({ dir: runDir });
  const model = withCache(await createLlamaCppModel({ modelPath, threads: 1 }), cache, { closeCache: true });
  const [score] = await model.scoreYesNo([
    "The user has highly rated the following movies: Alien. Based on this information, predict whether the user would enjoy the movie titled Heat. Respond with either 'Yes' or 'No'.",
  ]);
  // score.probability is P(yes), the softmax over the "Yes" and "No" logits (method.md, Eq. 14)
  await model.dispose();
  // README:end
  expect(score.probability).toBeCloseTo(1 / (1 + Math.exp(score.noLogit - score.yesLogit)), 12);
  expect(fs.readFileSync(path.join(runDir, 'llm-cache.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);

  const source = fs.readFileSync(import.meta.filename, 'utf8');
  const snippet = source
    .slice(source.indexOf('// README:start') + '// README:start'.length, source.indexOf('  // README:end'))
    .split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n')
    .trim();
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain(snippet);
});
