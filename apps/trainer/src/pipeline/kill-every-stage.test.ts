// kill -9 at random points of every stage of the real pipeline (tiny data, tiny settings), rerun,
// and compare the artifacts with those of an uninterrupted run of the same config.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkRunFreshness } from '@score/data';
import { describe, expect, it } from 'vitest';
import { runCli, setFlags, tempDir } from '../test-helpers';
import { type RunManifest, readManifest } from './manifest';
import { STAGE_NAMES } from './stage';

const MAIN = path.resolve(import.meta.dirname, '..', 'main.ts');

/** The whole pipeline in about 6 s of CPU: 60 users, one epoch per stage, the full-SCoRe variant only, an LM tuned from scratch. */
const TINY = [
  'data.source.kind=synthetic',
  'data.source.users=60',
  'data.source.items=90',
  'crm.epochs=1',
  'crm.baseline=false',
  'crm.hiddenSize=16',
  'crm.batchSize=256',
  'car.epochs=1',
  'assess.sample=40',
  'sare.epochs=1',
  'rec.variants=[score]',
  'rec.epochs=1',
  'rec.pretrainEpochs=0',
  'rec.warmupEpochs=0',
  'rec.vocabSize=300',
  'rec.trainRows=24',
  'rec.validRows=16',
  'rec.maxPromptTokens=96',
  'eval.maxRows=24',
  'eval.retrievedSweep=[10]',
  'eval.keptSweep=[2]',
];

/** mulberry32: the kill points are random but replayable from the seed printed on failure. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEMPORARY = /^\.([a-z]+)\.tmp-\d+-[0-9a-f]+$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stage whose temporary folder is in the run folder, if any, ignoring the folders in `ignored` (left by an earlier kill). */
function runningStage(runDir: string, ignored: ReadonlySet<string> = new Set()): string | undefined {
  for (const name of fs.existsSync(runDir) ? fs.readdirSync(runDir) : []) {
    const match = TEMPORARY.exec(name);
    if (match && !ignored.has(name)) return match[1];
  }
  return undefined;
}

/** Timings, and the names of the temporary folders a file was written in, differ between runs; nothing else may. */
const TIMING_KEY = /(^seconds$|secondsPerEpoch|tokensPerSecond|Ms$|^startedAt$|^finishedAt$|^updatedAt$|^generatedAt$)/;
function normaliseJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !TIMING_KEY.test(key))
        .map(([key, entry]) => [key, normaliseJson(entry)]),
    );
  }
  return typeof value === 'string' ? value.replace(/\.([a-z]+)\.tmp-\d+-[0-9a-f]+/g, '$1') : value;
}

/**
 * A comparable fingerprint of a finished run: every artifact's sha256, except LanceDB's internal
 * files (random names: counted per folder), JSON reports (compared without timings) and the
 * Markdown/HTML reports (compared without the generation time and the stage timing table).
 */
function fingerprint(runDir: string, manifest: RunManifest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const record of Object.values(manifest.stages)) {
    for (const artifact of record.artifacts) {
      const lance = /^(.*?\.lance|.*?\/__manifest)\//.exec(artifact.path);
      if (lance) {
        out[`${lance[1]} files`] = String(Number(out[`${lance[1]} files`] ?? 0) + 1);
        continue;
      }
      const file = path.join(runDir, artifact.path);
      if (artifact.path.endsWith('.json')) out[artifact.path] = JSON.stringify(normaliseJson(JSON.parse(fs.readFileSync(file, 'utf8'))));
      else if (/\.(md|html)$/.test(artifact.path)) {
        out[artifact.path] = fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => !/Generated \d{4}-|\| done \||<td>done<\/td>/.test(line))
          .join('\n').length.toString();
      } else out[artifact.path] = artifact.sha256;
    }
  }
  return out;
}

function start(runDir: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr: () => string } {
  const child = spawn(process.execPath, ['--conditions=@score/source', '--import', 'tsx', MAIN, 'run', '--run-dir', runDir, ...setFlags(TINY), '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

describe('kill -9 at random points of every stage', () => {
  it('each rerun resumes, and the finished run matches an uninterrupted one artifact for artifact', async () => {
    const seed = Number(process.env['SCORE_KILL_SEED'] ?? Date.now() % 1_000_000);
    const next = random(seed);
    const root = tempDir('score-kill-');
    const runDir = path.join(root, 'run');
    const reference = path.join(root, 'reference');

    // The uninterrupted run, moved aside so that the killed run uses the same folder (and config).
    await runCli(['run', '--run-dir', runDir, ...setFlags(TINY), '--quiet']);
    fs.renameSync(runDir, reference);
    const referenceManifest = (await readManifest(reference))!;
    const seconds = Object.fromEntries(STAGE_NAMES.map((name) => [name, referenceManifest.stages[name]!.seconds]));

    // Kill each stage in turn, a random time after its temporary folder appears. A kill that lands
    // after the stage finished (a rerun can be faster than the reference run) puts the run folder back
    // as it was before that try and retries with a new random time from a range half as long.
    const killed: string[] = [];
    const log: string[] = [];
    const before = path.join(root, 'before-try');
    let range = 0.8;
    for (let attempt = 0; killed.length < STAGE_NAMES.length && attempt < 16; attempt++) {
      const target = STAGE_NAMES[killed.length]!;
      const delay = Math.round(next() * range * seconds[target]! * 1000);
      fs.rmSync(before, { recursive: true, force: true });
      if (fs.existsSync(runDir)) fs.cpSync(runDir, before, { recursive: true });
      const leftovers = new Set(fs.existsSync(runDir) ? fs.readdirSync(runDir) : []);
      const victim = start(runDir);
      let stage: string | undefined;
      for (;;) {
        stage = runningStage(runDir, leftovers);
        if (stage !== undefined && STAGE_NAMES.indexOf(stage as (typeof STAGE_NAMES)[number]) >= STAGE_NAMES.indexOf(target)) break;
        if (victim.child.exitCode !== null) throw new Error(`seed ${seed}: the run ended before stage ${target} (${victim.stderr()})`);
        await sleep(5);
      }
      await sleep(delay);
      victim.child.kill('SIGKILL');
      const { signal } = await victim.exited;
      expect(signal, `seed ${seed}: ${victim.stderr()}`).toBe('SIGKILL');
      const inside = runningStage(runDir, leftovers);
      log.push(`${target}: killed ${delay} ms after ${stage} started, inside ${inside ?? 'no stage'}`);
      if (inside === target) {
        killed.push(target);
        range = 0.8;
      } else {
        fs.rmSync(runDir, { recursive: true, force: true });
        if (fs.existsSync(before)) fs.renameSync(before, runDir);
        range /= 2;
      }
    }
    expect(killed, `seed ${seed}: ${log.join('; ')}`).toEqual([...STAGE_NAMES]);

    // The last rerun finishes the run.
    const last = start(runDir);
    expect(await last.exited, `seed ${seed}: ${last.stderr()}`).toEqual({ code: 0, signal: null });
    const manifest = (await readManifest(runDir))!;
    expect(Object.keys(manifest.stages)).toEqual([...STAGE_NAMES]);
    expect(fingerprint(runDir, manifest), `seed ${seed}: ${log.join('; ')}`).toEqual(fingerprint(reference, referenceManifest));
    expect(fs.readdirSync(runDir).filter((name) => name.startsWith('.'))).toEqual([]);
    expect((await checkRunFreshness(runDir)).fresh).toBe(true);
    // Summaries name where files end up, never a stage's temporary folder.
    expect(JSON.stringify(manifest)).not.toMatch(/\.tmp-\d+-[0-9a-f]+/);
    expect((manifest.stages.assess!.summary as { files: Record<string, string> }).files).toEqual({
      assessments: path.join(runDir, 'assess', 'assessments.jsonl'),
      rankings: path.join(runDir, 'assess', 'rankings.jsonl'),
    });
    fs.rmSync(root, { recursive: true, force: true });
  }, 240_000);
});
