import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import type { StageContext } from '../pipeline/stage';

/**
 * The PEFT adapter folder the eval stage scores a tuned LM with when `eval.adapters` names a folder
 * in the layout of `score-train export` (`<dir>/<name>/adapter`, e.g. adapters tuned on a GPU by
 * tools/peft/train_lora.py); undefined when the option is off (the rec stage's own adapters).
 * `name` is the rec stage's model folder name: the variant ("basic", "score") or a sweep point
 * ("score-k15-s2").
 * @throws InvalidOptionError when `rec.model` is not `{ base, lora }` (only LoRA adapters load);
 *   ArtifactNotFoundError when the folder has no adapter for `name`.
 */
export function externalAdapterDir(context: StageContext, name: string): string | undefined {
  const dir = context.config.eval.adapters;
  if (dir === undefined) return undefined;
  if (typeof context.config.rec.model === 'string') {
    throw new InvalidOptionError('eval.adapters', `needs rec.model { base, lora }: the adapters load onto that base, but rec.model is "${context.config.rec.model}".`, dir);
  }
  const adapter = path.join(dir, name, 'adapter');
  const config = path.join(adapter, 'adapter_config.json');
  if (!fs.existsSync(config)) throw new ArtifactNotFoundError(config, `The PEFT adapter of "${name}" (eval.adapters)`);
  return adapter;
}
