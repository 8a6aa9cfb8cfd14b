import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../pipeline/manifest';
import { runCli, setFlags, tempDir } from '../test-helpers';

/** A tiny pipeline whose rec stage tunes three LMs (P^b, full SCoRe, and full SCoRe at K_e 5) from a pretrained and warmed-up base. */
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
  'rec.variants=[basic,score]',
  'rec.epochs=2',
  'rec.patience=2',
  'rec.pretrainEpochs=1',
  'rec.warmupEpochs=1',
  'rec.warmupRows=24',
  'rec.vocabSize=300',
  'rec.trainRows=24',
  'rec.validRows=16',
  'rec.maxPromptTokens=96',
  'eval.maxRows=24',
  'eval.retrievedSweep=[5,10]',
  'eval.keptSweep=[2]',
  'eval.retrainSweeps=true',
  'eval.bootstrapSamples=50',
];

/** Every file under `dir` by its relative path. */
function files(dir: string): Map<string, Buffer> {
  return new Map((fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((file) => fs.statSync(path.join(dir, file)).isFile()).map((file) => [file, fs.readFileSync(path.join(dir, file))]));
}

describe('rec.workers', () => {
  it('tunes the variants\' and sweep points\' LMs on 2 worker threads to the same bytes and metrics as one thread, without rerunning on its own', async () => {
    const run = path.join(tempDir('score-rec-workers-'), 'run');
    await runCli(['run', '--run-dir', run, ...setFlags(TINY), '--quiet']);
    const models = files(path.join(run, 'rec', 'models'));
    const metrics = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8'));
    const summary = JSON.parse(fs.readFileSync(path.join(run, 'rec', 'rec.json'), 'utf8'));
    const manifest = (await readManifest(run))!;
    expect([...models.keys()].filter((file) => file.endsWith('model.safetensors')).sort()).toEqual(
      ['basic', 'pretrained', 'score', 'score-k5-s2', 'warmup'].map((dir) => path.join(dir, 'model.safetensors')).sort(),
    );

    // The same config with rec.workers=2: nothing reruns (same inputs), until the rec stage is redone.
    const threaded = setFlags([...TINY, 'rec.workers=2']);
    const skipped = JSON.parse((await runCli(['run', '--run-dir', run, ...threaded, '--json'])).stdout);
    expect(skipped.stages.map((stage: { status: string }) => stage.status)).toEqual(skipped.stages.map(() => 'skipped'));
    const { logs } = await runCli(['run', '--run-dir', run, ...threaded, '--from', 'rec', '--quiet']);
    expect(logs).toContain('rec: tuning 3 LMs on 2 worker threads (rec.workers 2)');
    for (const task of ['rec.basic', 'rec.score', 'rec.score-k5-s2']) expect(logs.filter((line) => line.startsWith(`${task}: epoch 2: loss`))).toHaveLength(1);

    // Every file of every LM (weights, config, tokenizer) and every figure are the same.
    const again = files(path.join(run, 'rec', 'models'));
    expect([...again.keys()].sort()).toEqual([...models.keys()].sort());
    for (const [file, bytes] of models) expect(again.get(file)!.equals(bytes), file).toBe(true);
    const summaryAgain = JSON.parse(fs.readFileSync(path.join(run, 'rec', 'rec.json'), 'utf8'));
    const withoutTimings = (figures: { variants: Record<string, unknown>[] }) => figures.variants.map(({ tokensPerSecond, ...rest }) => (void tokensPerSecond, rest));
    expect(withoutTimings(summaryAgain)).toEqual(withoutTimings(summary));
    expect(summaryAgain.variants.map((variant: { dir: string }) => variant.dir)).toEqual(['models/basic', 'models/score', 'models/score-k5-s2']);
    const metricsAgain = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8'));
    expect(metricsAgain.models).toEqual(metrics.models);
    expect(metrics.models.find((model: { id: string }) => model.id === 'score').auc).toBeGreaterThan(0);
    expect((await readManifest(run))!.stages['rec']!.inputHash).toBe(manifest.stages['rec']!.inputHash);
  }, 240_000);
});
