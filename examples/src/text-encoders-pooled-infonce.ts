// A trainable text encoder from @score/text-encoders: a tokenizer trained on your texts, a pooled
// encoder in TensorFlow.js, one contrastive step with the InfoNCE loss CAR fine-tunes with
// (method.md, Eq. 6), then a save and load round trip in the Hugging Face folder layout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPooledEncoder, infoNceLoss, loadTrainableEncoder, trainTokenizer } from '@score/text-encoders';
import { tf } from '@score/tfjs-runtime';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-encoder-'));
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
console.log(loss.dataSync()[0]! > 0); // true
tf.dispose([loss, queries.ids, queries.mask, keys.ids, keys.mask]);
optimizer.dispose();

await encoder.save(dir);
console.log(fs.readdirSync(dir).sort().join(' ')); // config.json model.safetensors tokenizer.json tokenizer_config.json
const loaded = await loadTrainableEncoder(dir);
const matrix = await loaded.embed(['The user watched Heat.']); // 1 x 64, unit length
console.log(matrix.rows, matrix.cols, Math.hypot(...matrix.data).toFixed(4)); // 1 64 1.0000
encoder.dispose();
loaded.dispose();
fs.rmSync(dir, { recursive: true, force: true });
