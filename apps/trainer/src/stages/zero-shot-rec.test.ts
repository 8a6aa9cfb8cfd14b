import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError, type LanguageModel, silentLogger } from '@score/core';
import { writeGguf } from '@score/llm-clients';
import { evaluateCtr } from '@score/metrics';
import type { PromptVariantId, ResolvedPromptSetSpec } from '@score/prompt-kit';
import { createLlamaConfig, createScratchRecLm, LlamaModel, llamaToGguf, loadRecLm, saveLlamaCheckpoint, ThreadedRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../config/config-error';
import type { ScoreConfig } from '../config/config-schema';
import { loadConfig } from '../config/load-config';
import type { StageContext } from '../pipeline/stage';
import { tempDir } from '../test-helpers';
import { scoreZeroShot, type ZeroShotScoring } from './zero-shot';

const TEMPLATE = (liked: string, target: string) =>
  `The user has highly rated the following movies: ${liked}. Based on this information, predict whether the user would enjoy the movie titled "${target}". Respond with either 'Yes' or 'No'.`;
const TITLES = ['A (1999)', 'B (2001)', 'Heat (1995)', 'Casino (1995)', 'Toy Story (1995)', 'Up (2009)', 'Alien (1979)'];

/** 40 P^b-like and 40 P^s-like prompts of several lengths (so eval.scoreWorkers 2 gets several batches of 16). */
function promptsOf(variant: 'basic' | 'score'): string[] {
  return Array.from({ length: 40 }, (_, i) => {
    const liked = Array.from({ length: 1 + (i % 5) }, (_, j) => `"${TITLES[(i + j) % TITLES.length]}"`).join(', ');
    const prompt = TEMPLATE(liked, TITLES[(i * 3) % TITLES.length]!);
    return variant === 'basic' ? prompt : `${prompt} Similar users have highly rated: "${TITLES[(i + 2) % TITLES.length]}".`;
  });
}

const PROMPTS: Readonly<Record<'basic' | 'score', string[]>> = { basic: promptsOf('basic'), score: promptsOf('score') };
const LABELS = PROMPTS.basic.map((_, i) => (i * 7) % 3 === 0 ? 1 : 0);
const USERS = PROMPTS.basic.map((_, i) => i % 8);

/** The eval stage's context for `config` (the zero-shot rows need its config, logger and signal). */
function contextOf(config: ScoreConfig, runDir: string): StageContext {
  return {
    name: 'eval',
    config,
    configHash: 'test',
    runDir,
    outputDir: path.join(runDir, 'eval'),
    stageDir: (stage) => path.join(runDir, stage),
    artifact: (stage, relativePath) => path.join(runDir, stage, relativePath),
    logger: silentLogger,
    onProgress: () => {},
    signal: new AbortController().signal,
    seed: config.run.seed,
  };
}

/** What the eval stage gives scoreZeroShot, over the fixed prompts above; records the LM each variant was scored with. */
function scoringOf(seen: { variant: PromptVariantId; lm: LanguageModel; batchesPerThread?: readonly number[] }[]): ZeroShotScoring {
  return {
    mainSpec: (variant) => ({ variant, retrieved: 10, kept: 2 }) as ResolvedPromptSetSpec,
    score: async (spec, lm) => {
      const scores = (await lm.scoreYesNo(PROMPTS[spec.variant as 'basic' | 'score'])).map((score) => score.probability);
      seen.push({ variant: spec.variant, lm, ...(lm instanceof ThreadedRecLm ? { batchesPerThread: lm.stats.batchesPerThread } : {}) });
      const result = evaluateCtr({ userIds: USERS, labels: LABELS, scores });
      return { auc: result.auc, uauc: result.uauc, uaucUsers: result.uaucUsers, uaucSkipped: result.uaucSkipped, logLoss: result.logLoss, scores };
    },
  };
}

/** P(yes) of the prompts of `variant` with `lm`, then disposed. */
async function probabilities(lm: LanguageModel, variant: 'basic' | 'score'): Promise<number[]> {
  try {
    return (await lm.scoreYesNo(PROMPTS[variant])).map((score) => score.probability);
  } finally {
    await lm.dispose();
  }
}

describe('eval.zeroShot.llm: rec (the untuned rec.model base, scored as a tuned variant)', () => {
  const root = tempDir();
  const hfBase = path.join(root, 'tiny-llama');
  const ggufBase = path.join(root, 'tiny.gguf');

  beforeAll(async () => {
    await initTensorflow();
    // A small Hugging Face Llama folder standing in for a downloaded checkpoint (as in rec-lora.test.ts).
    const tokenizer = trainTokenizer({ texts: [...PROMPTS.basic.slice(0, 5), ...PROMPTS.score.slice(0, 5)], vocabSize: 320, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const lm = createScratchRecLm({ tokenizer, seed: 2, config: { hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 2, numKeyValueHeads: 1, headDim: 16, maxPositionEmbeddings: 2048 } });
    await saveLlamaCheckpoint(lm.model, hfBase);
    await tokenizer.save(path.join(hfBase, 'tokenizer.json'));
    lm.dispose();
    // A tiny GGUF with a byte-level BPE vocabulary (as SmolLM2's), 3 blocks (as onnx-prefix-backend.test.ts).
    const bpeFile = path.join(root, 'bpe-tokenizer.json');
    await trainTokenizer({ texts: PROMPTS.score.slice(0, 5), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] }).save(bpeFile);
    const bpe = JSON.parse(fs.readFileSync(bpeFile, 'utf8')).model as { vocab: Record<string, number>; merges: string[] };
    const tokens = Object.entries(bpe.vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token);
    const small = LlamaModel.create({ config: createLlamaConfig({ vocabSize: tokens.length, hiddenSize: 16, intermediateSize: 32, numLayers: 3, numHeads: 2, numKeyValueHeads: 1, maxPositionEmbeddings: 512 }), seed: 4, initStd: 0.3 });
    await writeGguf(ggufBase, await llamaToGguf(small, { tokens, metadata: { 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'smollm', 'tokenizer.ggml.merges': bpe.merges } }));
    small.dispose();
  });

  it('scores P^b and P^s with the base loaded without adapters, bitwise, on eval.scoreWorkers threads, labelled by the base', async () => {
    const { config } = loadConfig({
      values: {
        rec: { model: { base: hfBase, lora: { rank: 4, alpha: 8 } }, maxPromptTokens: 1500 },
        eval: { scoreWorkers: 2, zeroShot: { llm: 'rec', variants: ['basic', 'score'] } },
      },
    });
    const seen: Parameters<typeof scoringOf>[0] = [];
    const rows = await scoreZeroShot(contextOf(config, root), scoringOf(seen));
    // The reference: the checkpoint alone, no adapter, on one thread, with the eval stage's token limit (rec.maxPromptTokens + 8).
    const basic = await probabilities(await loadRecLm(hfBase, { maxPromptTokens: 1508 }), 'basic');
    const score = await probabilities(await loadRecLm(hfBase, { maxPromptTokens: 1508 }), 'score');
    expect(rows.map((row) => row.model.id)).toEqual(['zero-shot-basic', 'zero-shot-score']);
    expect(rows[0]!.scores).toEqual(basic);
    expect(rows[1]!.scores).toEqual(score);
    // The prompts matter and the scores are real probabilities of the untuned model (not a constant).
    expect(new Set(basic).size).toBeGreaterThan(5);
    expect(basic).not.toEqual(score);
    expect(rows[0]!.model).toMatchObject({ label: 'Zero-shot tiny-llama, P^b (no tuning)', family: 'llm', tuning: 'zero-shot', prompt: 'basic' });
    expect(rows[1]!.model).toMatchObject({ label: 'Zero-shot tiny-llama, P^s from CAR + SARE (no tuning)', prompt: 'ci', retriever: 'car', reranker: 'sare' });
    expect(rows[0]!.model.logLoss).toBe(evaluateCtr({ userIds: USERS, labels: LABELS, scores: basic }).logLoss);
    // One LM for both variants, on the stage's thread and one worker (40 prompts: 3 batches of at most 16, shared).
    expect(seen.map((entry) => entry.variant)).toEqual(['basic', 'score']);
    expect(seen[0]!.lm).toBe(seen[1]!.lm);
    expect(seen[0]!.lm).toBeInstanceOf(ThreadedRecLm);
    expect(seen[0]!.batchesPerThread).toHaveLength(2);
    expect(seen[0]!.batchesPerThread!.reduce((sum, count) => sum + count, 0)).toBe(3);
  }, 120_000);

  it('opens a GGUF base with topBlocks and the onnxruntime prefix as a tuned variant is opened: the base\'s scores', async () => {
    const { config } = loadConfig({
      values: {
        rec: { model: { base: ggufBase, lora: { rank: 2, alpha: 4 }, topBlocks: 1, prefixBackend: 'onnx' }, maxPromptTokens: 400 },
        eval: { zeroShot: { llm: 'rec', variants: ['score'] } },
      },
    });
    const seen: Parameters<typeof scoringOf>[0] = [];
    const [row] = await scoreZeroShot(contextOf(config, root), scoringOf(seen));
    expect(row!.model.label).toBe('Zero-shot tiny.gguf, P^s from CAR + SARE (no tuning)');
    // The same route without any adapter: bitwise (the fresh top-block LoRA that topBlocks attaches has B = 0).
    const sameRoute = await probabilities(await loadRecLm(ggufBase, { maxPromptTokens: 408, topBlocks: 1, prefixBackend: 'onnx' }), 'score');
    expect(row!.scores).toEqual(sameRoute);
    // The plain base (every block in tfjs, no LoRA, no cache): the same up to the float16 prefix cache.
    const plain = await probabilities(await loadRecLm(ggufBase, { maxPromptTokens: 408 }), 'score');
    const largest = Math.max(...plain.map((value, i) => Math.abs(value - row!.scores[i]!)));
    expect(largest).toBeLessThan(1e-3);
    expect(new Set(plain).size).toBeGreaterThan(5);
    // eval.scoreWorkers 1 (the default): the plain LM on the stage's thread.
    expect(seen[0]!.lm).not.toBeInstanceOf(ThreadedRecLm);
  }, 120_000);

  it('eval.zeroShot.answers reaches the base on every thread: the answers swapped give 1 - P(yes) of the default ones', async () => {
    const values = (answers?: { yes: string; no: string }) => ({
      rec: { model: { base: hfBase, lora: { rank: 4, alpha: 8 } }, maxPromptTokens: 1500 },
      eval: { scoreWorkers: 2, zeroShot: { llm: 'rec', variants: ['basic'], ...(answers === undefined ? {} : { answers }) } },
    });
    const [byDefault] = await scoreZeroShot(contextOf(loadConfig({ values: values() }).config, root), scoringOf([]));
    const [swapped] = await scoreZeroShot(contextOf(loadConfig({ values: values({ yes: 'No', no: 'Yes' }) }).config, root), scoringOf([]));
    expect(swapped!.scores).toHaveLength(PROMPTS.basic.length);
    swapped!.scores.forEach((value, i) => expect(value).toBeCloseTo(1 - byDefault!.scores[i]!, 6));
    expect(new Set(byDefault!.scores).size).toBeGreaterThan(5);
    // A word the tokenizer splits is refused when the model opens, naming the answer.
    const split = loadConfig({ values: { ...values({ yes: 'Yes Yes Yes', no: 'No' }), eval: { zeroShot: { llm: 'rec', variants: ['basic'], answers: { yes: 'Yes Yes Yes', no: 'No' } } } } }).config;
    await expect(scoreZeroShot(contextOf(split, root), scoringOf([]))).rejects.toThrow(/answer "Yes Yes Yes" as \d+ tokens/);
  }, 120_000);

  it('is refused for the from-scratch LM and for a scoring-only backend, naming eval.zeroShot.llm', async () => {
    const load = (model: unknown) => () => loadConfig({ values: { rec: { model }, eval: { zeroShot: { llm: 'rec' } } } });
    expect(load('scratch')).toThrow(ConfigValidationError);
    expect(load('scratch')).toThrow(/eval\.zeroShot\.llm.*is "rec", but rec\.model is "scratch": the from-scratch LM has no pretrained base/);
    expect(load('llamacpp:model:smollm2-135m-instruct')).toThrow(/eval\.zeroShot\.llm.*rec\.model is the backend spec "llamacpp:model:smollm2-135m-instruct"/);
    const error = (() => {
      try {
        load('scratch')();
      } catch (caught) {
        return caught as ConfigValidationError;
      }
      return undefined;
    })();
    expect(error?.field).toBe('eval.zeroShot.llm');
    // Every existing form stays valid, and a misspelling is refused with the forms that would be.
    expect(loadConfig({ values: { eval: { zeroShot: { llm: 'llamacpp:model:smollm2-135m-instruct' } } } }).config.eval.zeroShot?.llm).toBe('llamacpp:model:smollm2-135m-instruct');
    expect(loadConfig({ values: { eval: { zeroShot: { llm: 'vllm:#Llama-3.1-8B-Instruct' } } } }).config.eval.zeroShot?.llm).toBe('vllm:#Llama-3.1-8B-Instruct');
    expect(() => loadConfig({ values: { eval: { zeroShot: { llm: 'recs' } } } })).toThrow(/eval\.zeroShot\.llm.*must be "rec" or a backend spec/);
    // Answer words apply to the in-process route only; an empty word is refused by name.
    expect(() => loadConfig({ values: { eval: { zeroShot: { llm: 'llamacpp:model:smollm2-135m-instruct', answers: { yes: ' Yes', no: ' No' } } } } })).toThrow(/eval\.zeroShot\.answers.*applies to llm "rec" only/);
    expect(() => loadConfig({ values: { rec: { model: { base: hfBase } }, eval: { zeroShot: { llm: 'rec', answers: { yes: '', no: ' No' } } } } })).toThrow(/eval\.zeroShot\.answers\.yes/);
    expect(loadConfig({ values: { rec: { model: { base: hfBase } }, eval: { zeroShot: { llm: 'rec', answers: { yes: ' Yes', no: ' No' } } } } }).config.eval.zeroShot?.answers).toEqual({ yes: ' Yes', no: ' No' });
    // A config built without the loader: the eval stage refuses it the same way, before opening anything.
    const { config } = loadConfig({ values: { rec: { model: { base: hfBase } } } });
    const scratch: ScoreConfig = { ...config, rec: { ...config.rec, model: 'scratch' }, eval: { ...config.eval, zeroShot: { llm: 'rec', variants: ['basic'] } } };
    const seen: Parameters<typeof scoringOf>[0] = [];
    const refused = await scoreZeroShot(contextOf(scratch, root), scoringOf(seen)).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(InvalidOptionError);
    expect((refused as InvalidOptionError).field).toBe('eval.zeroShot.llm');
    expect((refused as Error).message).toContain('rec.model is "scratch"');
    expect(seen).toEqual([]);
  });
});
