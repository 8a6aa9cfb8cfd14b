import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LanguageModelError, ModelMismatchError, type ProgressEvent } from '@score/core';
import { generateSyntheticDataset } from '@score/data';
import { createOpenAICompatibleModel } from '@score/llm-clients';
import { afterEach, describe, expect, it } from 'vitest';
import type { AssessmentPair } from './assessment';
import { readAssessmentFile } from './assessment-file';
import { generateAssessments } from './generate-assessments';
import { createLlmAssessor, UnusableAssessmentError } from './llm-assessor';
import { createMetadataAssessor } from './metadata-assessor';
import { sampleAssessmentPairs } from './sample-assessment-pairs';
import { ChatServer } from './test-fixtures/chat-server';
import { makeTempDir } from './test-fixtures/tiny-dataset';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(pairCount: number) {
  const dataset = await generateSyntheticDataset({ users: 40, items: 60, seed: 5 });
  const pairs = sampleAssessmentPairs(dataset, { sample: pairCount, seed: 1 });
  const outFile = path.join(makeTempDir(), 'assess', 'assessments.jsonl');
  return { dataset, pairs, outFile };
}

function llmAssessor(baseURL: string) {
  return createLlmAssessor({ model: createOpenAICompatibleModel({ baseURL, model: 'test-model', apiKey: 'sk-test', maxRetries: 0 }), maxTokens: 64 });
}

/** How many times each prompt appears. */
function counts(prompts: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const prompt of prompts) out.set(prompt, (out.get(prompt) ?? 0) + 1);
  return out;
}

describe('generateAssessments against a local chat-completions server', () => {
  it('resumes after the server fails mid-run and a kill cut the last line, without repeating a finished call', async () => {
    const { pairs, outFile } = await setup(12);
    server = await ChatServer.start({ failAfter: 5 });
    const assessor = llmAssessor(server.baseURL);
    await expect(generateAssessments({ pairs, assessor, outFile, concurrency: 2 })).rejects.toThrow(LanguageModelError);
    const first = await readAssessmentFile(outFile);
    expect(first.records.size).toBe(5);
    expect(server.answered).toHaveLength(5);
    // A kill in the middle of a write leaves half a line behind.
    fs.appendFileSync(outFile, '{"id":"half a rec');

    server.failAfter = Number.POSITIVE_INFINITY;
    const events: ProgressEvent[] = [];
    const result = await generateAssessments({ pairs, assessor, outFile, concurrency: 3, onProgress: (event) => events.push(event) });
    expect([result.generated, result.reused, result.source]).toEqual([7, 5, 'llm:test-model']);
    expect(server.answered).toHaveLength(12);
    expect([...counts(server.answered).values()].every((n) => n === 1)).toBe(true);
    for (const prompt of server.received) expect(server.answered).toContain(prompt);
    expect(result.records.map((record) => record.id)).toEqual(pairs.map((pair) => pair.id));
    expect(result.records.every((record, i) => record.text.includes(`"${pairs[i].target.title}"`))).toBe(true);

    const prompts = server.answered.slice(5);
    expect(result.promptTokens).toBe(prompts.reduce((sum, prompt) => sum + prompt.length, 0));
    expect(result.completionTokens).toBe(7 * 12);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ task: 'assess', done: 12, total: 12, unit: 'pairs', finished: true });
    expect(last.metrics).toMatchObject({ generated: 7, reused: 5, promptTokens: result.promptTokens, completionTokens: 84, etaSeconds: 0 });
    expect(events[0]).toMatchObject({ done: 5, total: 12 });
    const lines = fs.readFileSync(outFile, 'utf8').split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[12]).toBe('');

    // A third run has nothing left to do.
    const again = await generateAssessments({ pairs, assessor, outFile });
    expect([again.generated, again.reused]).toEqual([0, 12]);
    // Only the calls the server refused (at most one per worker of the first run) were sent twice.
    expect(server.received.length - server.answered.length).toBeGreaterThanOrEqual(1);
    expect(server.received.length - server.answered.length).toBeLessThanOrEqual(2);
  });

  it('survives a real SIGKILL of the process mid-run: the rerun completes without repeating a finished call', async () => {
    const { pairs, outFile } = await setup(12);
    server = await ChatServer.start({ delayMs: 150 });
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@score/source', path.join(import.meta.dirname, 'test-fixtures', 'assess-child.ts'), server.baseURL, outFile], {
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 60_000;
    // Kill it once three assessments are on disk (nine calls, at least 0.6 s, are still to come).
    while ((await readAssessmentFile(outFile)).records.size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const finished = [...(await readAssessmentFile(outFile)).records.values()];
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.length).toBeLessThan(12);

    const assessor = llmAssessor(server.baseURL);
    const result = await generateAssessments({ pairs, assessor, outFile, concurrency: 2 });
    expect([result.reused, result.generated]).toEqual([finished.length, 12 - finished.length]);
    const received = counts(server.received);
    for (const record of finished) expect(received.get(assessor.prompt(pairs.find((pair) => pair.id === record.id)!))).toBe(1);
    expect(new Set(server.answered).size).toBe(12);
  });

  it('stops on an AbortSignal and a rerun never repeats a finished call', async () => {
    const { pairs, outFile } = await setup(10);
    server = await ChatServer.start({ delayMs: 20 });
    const assessor = llmAssessor(server.baseURL);
    const controller = new AbortController();
    const onProgress = (event: ProgressEvent) => {
      if ((event.metrics?.generated ?? 0) >= 3) controller.abort(new Error('stopped by the test'));
    };
    await expect(generateAssessments({ pairs, assessor, outFile, concurrency: 2, onProgress, signal: controller.signal })).rejects.toThrow('stopped by the test');
    const finished = [...(await readAssessmentFile(outFile)).records.values()];
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.length).toBeLessThan(10);
    const answeredFirst = server.answered.slice();

    const result = await generateAssessments({ pairs, assessor, outFile, concurrency: 2 });
    expect(result.reused).toBe(finished.length);
    expect(result.generated).toBe(10 - finished.length);
    const received = counts(server.received);
    for (const record of finished) {
      const prompt = assessor.prompt(pairs.find((pair) => pair.id === record.id)!);
      expect(answeredFirst).toContain(prompt);
      expect(received.get(prompt)).toBe(1);
    }
    expect(new Set(result.records.map((record) => record.id)).size).toBe(10);
  });

  it('refuses a file written by another assessor and validates its options', async () => {
    const { dataset, pairs, outFile } = await setup(3);
    await generateAssessments({ pairs, assessor: createMetadataAssessor({ dataset }), outFile });
    server = await ChatServer.start();
    await expect(generateAssessments({ pairs, assessor: llmAssessor(server.baseURL), outFile })).rejects.toThrow(ModelMismatchError);
    expect(server.received).toHaveLength(0);
    await expect(generateAssessments({ pairs: [pairs[0], pairs[0]], assessor: createMetadataAssessor({ dataset }), outFile })).rejects.toThrow(/appears twice/);
    await expect(generateAssessments({ pairs, assessor: createMetadataAssessor({ dataset }), outFile, concurrency: 0 })).rejects.toThrow(/"concurrency"/);
    fs.writeFileSync(outFile, 'not json\n{"id":"x"}\n');
    await expect(generateAssessments({ pairs, assessor: createMetadataAssessor({ dataset }), outFile })).rejects.toThrow(/assessments\.jsonl, line 1: is not valid JSON/);
  });
});

describe('generateAssessments: pairs the model answers with no usable assessment', () => {
  /** An LLM assessor whose model retells the prompt of the pairs in `bad` (ids) and answers the others. */
  function retellingAssessor(pairs: readonly AssessmentPair[], bad: readonly string[]) {
    const retold = new Set<string>();
    const assessor = createLlmAssessor({
      retries: 1,
      model: {
        provider: 'scripted',
        modelId: 'retelling',
        async generate(prompt) {
          return { text: retold.has(prompt) ? `${prompt} ${prompt}` : 'Crime dramas and dark comedies in this list would help to decide.' };
        },
        async scoreYesNo() {
          return [];
        },
        dispose() {},
      },
    });
    for (const pair of pairs) if (bad.includes(pair.id)) retold.add(assessor.prompt(pair));
    return assessor;
  }

  it('drops up to maxUnusable of them (no record, listed in unusable), and fails past it naming the share', async () => {
    const { pairs, outFile } = await setup(10);
    const badIds = [pairs[3].id, pairs[7].id];
    const result = await generateAssessments({ pairs, assessor: retellingAssessor(pairs, badIds), outFile, maxUnusable: 0.2 });
    expect(result.unusable.map((entry) => entry.id)).toEqual(badIds);
    expect(result.unusable[0].reason).toMatch(/no usable assessment \(try 1: repeats the prompt/);
    expect(result.records.map((record) => record.id)).toEqual(pairs.filter((pair) => !badIds.includes(pair.id)).map((pair) => pair.id));
    expect((await readAssessmentFile(outFile)).records.size).toBe(pairs.length - badIds.length);

    // The default share (5% of 10 pairs: none) fails the run, naming the pair, the count and the fix.
    const strictFile = path.join(makeTempDir(), 'assessments.jsonl');
    const failed = await generateAssessments({ pairs, assessor: retellingAssessor(pairs, badIds), outFile: strictFile, concurrency: 1 }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UnusableAssessmentError);
    expect((failed as UnusableAssessmentError).pairId).toBe(badIds[0]);
    expect((failed as Error).message).toContain(`1 pairs of 10 had no usable assessment, more than maxUnusable 0.05 allows (0). Raise maxUnusable (assess.maxUnusable)`);
    await expect(generateAssessments({ pairs, assessor: retellingAssessor(pairs, badIds), outFile: strictFile, maxUnusable: 2 })).rejects.toThrow(/"maxUnusable": must be a share between 0 and 1, got 2/);
  });
});
