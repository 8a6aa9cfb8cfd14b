// BERT-family encoders of @score/text-encoders, frozen and trainable, from one Hugging Face folder
// (config.json, model.safetensors, tokenizer.json): `createOnnxEncoder` runs it with onnxruntime
// (the fixed embedder TxtEmb; the first call exports <dir>/onnx/model.onnx and later calls reuse
// it), and `loadBertEncoder` loads the same weights into TensorFlow.js for fine-tuning with CAR's
// contrastive loss (method.md, Eq. 6). The folder here is a small random BERT written by
// `createBertEncoder` so the program needs no download; pass
// `await resolveModelPath('model:all-minilm-l6-v2')` (@score/model-hub) or any BERT-family folder
// instead and nothing else changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBertEncoder, createOnnxEncoder, infoNceLoss, loadBertEncoder, trainTokenizer } from '@score/text-encoders';
import { tf } from '@score/tfjs-runtime';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-'));
const dir = path.join(root, 'tiny-bert');
const texts = ['A man is eating food.', 'A man is riding a horse.', 'The user watched Toy Story, Heat.', 'Someone eats a meal.'];
const random = await createBertEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 200, kind: 'wordpiece' }), hidden: 32, heads: 2, layers: 1, maxLength: 32 });
await random.save(dir);
random.dispose();

// Frozen, fast: onnxruntime.
const frozen = await createOnnxEncoder({ modelDir: dir, intraOpThreads: 2 });
const vectors = await frozen.embed(['A man is eating food.', 'A man is riding a horse.']); // 2 x 32, unit rows
console.log(vectors.rows, vectors.cols, Math.hypot(...vectors.data.subarray(0, 32)).toFixed(4)); // 2 32 1.0000
console.log(fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))); // true
await frozen.dispose();

// Trainable: the same weights in tfjs (the same vectors), fine-tuned with the contrastive loss of CAR.
const bert = await loadBertEncoder(dir);
const same = await bert.embed(['A man is eating food.']);
console.log(Math.max(...same.data.map((value, i) => Math.abs(value - vectors.data[i]!))) < 1e-4); // true
const queries = bert.tokenize(['The user watched Toy Story, Heat.', 'A man is eating food.']);
const keys = bert.tokenize(['The user watched Heat, Casino.', 'Someone eats a meal.']);
const optimizer = tf.train.adam(2e-5);
optimizer.minimize(() => infoNceLoss(bert.embedTensor(queries.ids, queries.mask), bert.embedTensor(keys.ids, keys.mask), tf.eye(2) as tf.Tensor2D, { temperature: 0.05 }), false, bert.trainableVariables);
await bert.save(path.join(root, 'car-bert')); // loadBertEncoder / loadTrainableEncoder read it back
console.log(fs.readdirSync(path.join(root, 'car-bert')).includes('model.safetensors')); // true
tf.dispose([queries.ids, queries.mask, keys.ids, keys.mask]);
optimizer.dispose();
bert.dispose();
fs.rmSync(root, { recursive: true, force: true });
