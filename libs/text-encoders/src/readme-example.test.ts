import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf } from '@score/tfjs-runtime';
import { createPooledEncoder, infoNceLoss, loadTrainableEncoder, trainTokenizer } from './index';
import { makeTempDir } from './test-fixtures/tiny-corpus';

const README = path.join(import.meta.dirname, '..', 'README.md');

/** The README's example, run as written (its imports are at the top of this file). */
async function readmeExample(dir: string): Promise<number[]> {
  // README example start
  const texts = ['The user watched Toy Story, Heat.', 'The user watched Heat, Casino.', 'Will the user enjoy Jumanji? Yes or No.'];
  const tokenizer = trainTokenizer({ texts, vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
  const encoder = await createPooledEncoder({ tokenizer, dimensions: 64 });

  // One contrastive step (CAR, Eq. 6): the positive of query i is key i, the other keys are negatives.
  const queries = encoder.tokenize(texts);
  const keys = encoder.tokenize(texts.map((text) => text.toLowerCase()));
  const optimizer = tf.train.adam(1e-3);
  const loss = optimizer.minimize(
    () => infoNceLoss(encoder.embedTensor(queries.ids, queries.mask), encoder.embedTensor(keys.ids, keys.mask), tf.eye(3) as tf.Tensor2D, { temperature: 0.1 }),
    true,
    encoder.trainableVariables,
  )!; // the batch's loss, a scalar
  tf.dispose([loss, queries.ids, queries.mask, keys.ids, keys.mask]);
  optimizer.dispose();

  await encoder.save(dir); // config.json, model.safetensors, tokenizer.json, tokenizer_config.json
  const loaded = await loadTrainableEncoder(dir);
  const matrix = await loaded.embed(['The user watched Heat.']); // 1 x 64, unit length
  encoder.dispose();
  loaded.dispose();
  // README example end
  return Array.from(matrix.data);
}

describe('README', () => {
  it('shows the example this test runs', () => {
    const source = fs.readFileSync(import.meta.filename, 'utf8');
    const body = source.slice(source.indexOf('// README example start\n') + '// README example start\n'.length, source.indexOf('  // README example end'));
    const asWritten = body
      .split('\n')
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n');
    const readme = fs.readFileSync(README, 'utf8');
    expect(readme).toContain(asWritten.trim());
    expect(readme).toContain("import { createPooledEncoder, infoNceLoss, loadTrainableEncoder, trainTokenizer } from '@score/text-encoders';");
    expect(readme).toContain("import { tf } from '@score/tfjs-runtime';");
  });

  it('runs the example: a unit-length 64-wide embedding after a save/load round trip', async () => {
    const vector = await readmeExample(makeTempDir());
    expect(vector).toHaveLength(64);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  });
});
