import os from 'node:os';
import path from 'node:path';

/**
 * The models cache folder: `SCORE_MODELS_DIR` when set, else `$XDG_CACHE_HOME/score/models`,
 * else `~/.cache/score/models`.
 */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['SCORE_MODELS_DIR'];
  if (explicit) return path.resolve(explicit);
  const cacheHome = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'score', 'models');
}
