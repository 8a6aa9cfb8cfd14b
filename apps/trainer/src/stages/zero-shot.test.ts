import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';
import { describe, expect, it } from 'vitest';
import { readEvaluationMetrics } from '../report';
import { TINY_PIPELINE_SETS, runCli, setFlags, tempDir } from '../test-helpers';
import { zeroShotDifferences, zeroShotModelName, zeroShotRow } from './zero-shot';

describe('zero-shot rows (eval.zeroShot)', () => {
  it('labels each row by the model and prompt, and pairs the zero-shot P^s rows with the zero-shot P^b', () => {
    expect(zeroShotModelName('llamacpp:model:smollm2-135m-instruct')).toBe('smollm2-135m-instruct');
    expect(zeroShotModelName('llamacpp:/models/tiny.gguf')).toBe('tiny.gguf');
    expect(zeroShotModelName('vllm:#Llama-3.1-8B-Instruct')).toBe('Llama-3.1-8B-Instruct');
    expect(zeroShotRow('score', 'llamacpp:model:smollm2-135m-instruct')).toEqual({
      id: 'zero-shot-score',
      label: 'Zero-shot smollm2-135m-instruct, P^s from CAR + SARE (no tuning)',
      family: 'llm',
      tuning: 'zero-shot',
      prompt: 'ci',
      retriever: 'car',
      reranker: 'sare',
    });
    const row = (id: string, tuning?: 'zero-shot') => ({ id, label: id, family: 'llm' as const, prompt: 'ci' as const, auc: 0.5, uauc: 0.5, uaucUsers: 1, uaucSkipped: 0, logLoss: 1, ...(tuning ? { tuning } : {}) });
    expect(zeroShotDifferences([row('llm-basic'), row('zero-shot-basic', 'zero-shot'), row('zero-shot-car', 'zero-shot'), row('zero-shot-score', 'zero-shot')])).toEqual([
      ['zero-shot-car', 'zero-shot-basic'],
      ['zero-shot-score', 'zero-shot-basic'],
    ]);
    expect(zeroShotDifferences([row('zero-shot-score', 'zero-shot')])).toEqual([]);
  });

  it('scores P^b and P^s with the untuned LLM beside the other rows, with paired intervals and differences', async () => {
    const root = tempDir();
    // The tuned rows come from a vLLM-style server with one LoRA adapter per variant
    // (rec.model openai-completions:URL#score-{variant}): a local server answering in the completions
    // format with logprobs that depend on the model name and the prompt.
    const models: string[] = [];
    const server = http.createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const body = JSON.parse(text) as { model: string; prompt: string };
        models.push(body.model);
        const digest = createHash('sha256').update(`${body.model}\n${body.prompt}`).digest();
        const yes = -0.05 - digest[0]! / 64;
        const no = -0.05 - digest[1]! / 64;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'cmpl-1', object: 'text_completion', created: 1, model: body.model, choices: [{ text: ' Yes', index: 0, logprobs: { tokens: [' Yes'], token_logprobs: [yes], top_logprobs: [{ ' Yes': yes, ' No': no }], text_offset: [0] }, finish_reason: 'length' }], usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    // The tiny GGUF fixture stands in for the pretrained LLM (llama.cpp, one thread).
    const gguf = path.join(root, 'tiny.gguf');
    await writeTinyLlamaGguf(gguf, { seed: 5, contextLength: 2048 });
    const run = path.join(root, 'run');
    const sets = setFlags([
      'data.source.kind=synthetic',
      ...TINY_PIPELINE_SETS,
      `rec.model=openai-completions:${url}#score-{variant}`,
      'rec.maxHistoryItems=5',
      'rec.maxBehaviourItems=3',
      'eval.maxRows=40',
      'eval.bootstrapSamples=200',
      `eval.zeroShot={ llm: "llamacpp:${gguf}", variants: [basic, car, score], threads: 1 }`,
    ]);
    try {
      await runCli(['run', '--run-dir', run, ...sets, '--quiet']);
    } finally {
      server.close();
    }
    // One adapter name per variant, each asked for the 40 scored rows.
    expect([...new Set(models)]).toEqual(['score-basic', 'score-score']);
    expect(models.filter((model) => model === 'score-score')).toHaveLength(40);
    const metrics = await readEvaluationMetrics(path.join(run, 'eval', 'metrics.json'));
    expect(metrics.models.map((model) => model.id)).toEqual(['popularity', 'sasrec', 'llm-basic', 'score', 'zero-shot-basic', 'zero-shot-car', 'zero-shot-score']);
    const byId = new Map(metrics.models.map((model) => [model.id, model]));
    const zeroBasic = byId.get('zero-shot-basic')!;
    const zeroScore = byId.get('zero-shot-score')!;
    expect(zeroBasic).toMatchObject({ label: 'Zero-shot tiny.gguf, P^b (no tuning)', family: 'llm', prompt: 'basic', tuning: 'zero-shot' });
    for (const model of [zeroBasic, zeroScore, byId.get('zero-shot-car')!]) {
      expect(model.aucInterval!.lower).toBeLessThanOrEqual(model.auc);
      expect(model.aucInterval!.upper).toBeGreaterThanOrEqual(model.auc);
      expect(model.uaucInterval).toBeDefined();
    }
    // Every LM row gets its difference to the tuned P^b and SCoRe; the zero-shot P^s rows also to the zero-shot P^b.
    const difference = (id: string, reference: string) => byId.get(id)!.differences!.find((entry) => entry.reference === reference)!;
    expect(zeroBasic.differences!.map((entry) => entry.reference)).toEqual(['llm-basic', 'score']);
    expect(difference('zero-shot-basic', 'llm-basic').auc).toBeCloseTo(zeroBasic.auc - byId.get('llm-basic')!.auc, 12);
    expect(difference('zero-shot-basic', 'score').uauc).toBeCloseTo(zeroBasic.uauc - byId.get('score')!.uauc, 12);
    expect(zeroScore.differences!.map((entry) => entry.reference)).toEqual(['llm-basic', 'score', 'zero-shot-basic']);
    expect(difference('zero-shot-score', 'zero-shot-basic').auc).toBeCloseTo(zeroScore.auc - zeroBasic.auc, 12);
    const own = difference('zero-shot-score', 'zero-shot-basic');
    expect(own.aucInterval.lower).toBeLessThanOrEqual(own.auc);
    expect(own.aucInterval.upper).toBeGreaterThanOrEqual(own.auc);
    // The P^s prompts differ from P^b, so the untuned LLM's scores differ too.
    expect(zeroScore.logLoss).not.toBe(zeroBasic.logLoss);
    expect(metrics.notes.join(' ')).toContain(`Zero-shot rows: llamacpp:${gguf}`);
    // The report's tables show the rows; the ablation (tuned P^s variants) and the paper's orderings leave them out.
    const report = fs.readFileSync(path.join(run, 'eval', 'report.md'), 'utf8');
    expect(report).toContain('| Zero-shot tiny.gguf, P^s from CAR + SARE (no tuning) |');
    const ablation = report.slice(report.indexOf('| Variant | Similar users from'));
    expect(ablation.slice(0, ablation.indexOf('\n\n'))).not.toContain('Zero-shot');
    // About 30 s idle; the limit leaves room for a busy 2-core machine.
  }, 300_000);
});
