import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '@score/data';
import { createScratchRecLm, saveLlamaCheckpoint } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';

/** Model shape of {@link writeRecStage}'s scratch LM. */
export interface RecStageShape {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
}

/**
 * Writes what the trainer's rec stage leaves in a run folder: `rec/rec.json`, a scratch-initialised
 * LM in `rec/models/score` (HF layout: config.json, model.safetensors, tokenizer.json), so
 * `--llm inprocess` serves it on TensorFlow.js. Returns the LM folder.
 */
export async function writeRecStage(runDir: string, shape: RecStageShape = { hiddenSize: 32, intermediateSize: 64, numLayers: 1 }): Promise<string> {
  const dataset = await loadDataset(runDir);
  const titles = [...dataset.items.values()].map((item) => item.title);
  const tokenizer = trainTokenizer({ texts: titles.map((title) => `The user has highly rated "${title}". Yes No`), vocabSize: 400, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens: titles });
  const lm = createScratchRecLm({ tokenizer, seed: 4, config: { ...shape, numHeads: 2, numKeyValueHeads: 1, headDim: shape.hiddenSize / 2 } });
  const dir = path.join(runDir, 'rec', 'models', 'score');
  await saveLlamaCheckpoint(lm.model, dir);
  await tokenizer.save(path.join(dir, 'tokenizer.json'));
  lm.dispose();
  fs.writeFileSync(path.join(runDir, 'rec', 'rec.json'), JSON.stringify({ model: 'scratch', variants: [{ variant: 'score' }] }));
  return dir;
}
