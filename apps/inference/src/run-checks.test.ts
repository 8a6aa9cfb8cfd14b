import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, type Logger } from '@score/core';
import { loadDataset } from '@score/data';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunScoringService } from './run-scoring-service';
import { startServer } from './server';
import { writeRecStage } from './test-fixtures/rec-stage';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// Issue 18.5 and 18.9: artifacts are checked against manifest.json at load, a non-finite score is
// a 500 (never 200 with null), fallbacks are announced at warn level, and a run whose prompts
// cannot be written fails at load instead of answering every request 400.
interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}
function memoryLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let run: TestRun;
let weights: string;
let request: { userId: string; itemId: string };

/** The manifest the trainer writes: each served file with its size and sha256. */
function writeManifest(runDir: string): void {
  const artifacts = (stage: string) =>
    fs
      .readdirSync(path.join(runDir, stage), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = path.join(entry.parentPath, entry.name);
        const bytes = fs.readFileSync(file);
        return { path: path.relative(runDir, file).split(path.sep).join('/'), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      });
  const stages = { prepare: { status: 'done', artifacts: artifacts('dataset') }, rec: { status: 'done', artifacts: artifacts('rec') } };
  fs.writeFileSync(path.join(runDir, 'manifest.json'), JSON.stringify({ formatVersion: 1, config: {}, stages }));
}

/** Overwrites every tensor value of a safetensors file with NaN (same size, same header). */
function poisonSafetensors(file: string): void {
  const bytes = fs.readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  bytes.fill(0xff, 8 + headerLength);
  fs.writeFileSync(file, bytes);
}

beforeAll(async () => {
  await initTensorflow();
  run = await createTestRun();
  weights = path.join(await writeRecStage(run.runDir), 'model.safetensors');
  const dataset = await loadDataset(run.runDir);
  request = { userId: dataset.users[0]!, itemId: [...dataset.items.keys()][0]! };
}, 60_000);

afterAll(() => run?.remove());

describe('run checks at load', () => {
  it('warns at warn level, naming each fallback, when manifest.json, car/ or sare/ is missing', async () => {
    const lines: LogLine[] = [];
    const service = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess', logger: memoryLogger(lines) });
    await service.dispose();
    const warnings = lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/no manifest\.json.*not verified.*fall back to the defaults \(K_s 2, K_e 10/);
    expect(warnings[1]).toMatch(/no CAR stage.*overlap fallback/);
    expect(warnings[2]).toMatch(/no SARE stage.*identity fallback/);
  });

  it('checks sizes by default and sha256 with verify "hash"; a non-finite score answers 500, logged', async () => {
    writeManifest(run.runDir);
    const clean = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess', verify: 'hash' });
    expect(Number.isFinite((await clean.score(request)).probability)).toBe(true);
    await clean.dispose();

    poisonSafetensors(weights);
    const refused = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess', verify: 'hash' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataFormatError);
    expect((refused as DataFormatError).path).toBe(weights);
    expect((refused as Error).message).toMatch(/sha256 [0-9a-f]{64}, but manifest\.json records [0-9a-f]{64} for the "rec" stage.*rerun the stage/);

    // Same size: the default size check passes, and the NaN weights reach the scoring.
    const lines: LogLine[] = [];
    const logger = memoryLogger(lines);
    const service = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess', logger });
    const server = await startServer({ service, port: 0, logger });
    try {
      const response = await fetch(`${server.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect([response.status, body.error.code]).toEqual([500, 'NON_FINITE_SCORE']);
      expect(body.error.message).toContain('--verify hash');
      const batch = await fetch(`${server.url}/v1/score/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: [request, request] }) });
      expect(batch.status).toBe(500);
      expect(lines.filter((line) => line.level === 'error' && String(line.fields?.error).includes('NonFiniteScoreError'))).toHaveLength(2);
    } finally {
      await server.close();
      await service.dispose();
    }

    fs.truncateSync(weights, 100);
    await expect(createRunScoringService({ runDir: run.runDir, llm: 'inprocess' })).rejects.toThrow(/has 100 bytes, but manifest\.json records \d+ for the "rec" stage/);
    fs.rmSync(weights);
    await expect(createRunScoringService({ runDir: run.runDir, llm: 'inprocess' })).rejects.toThrow(/recorded in manifest\.json by the "rec" stage but is missing/);
  });

  it('fails at load, not per request, when the run\'s domain has no prompt preset', async () => {
    const meta = path.join(run.runDir, 'dataset', 'meta.json');
    const original = fs.readFileSync(meta, 'utf8');
    fs.writeFileSync(meta, JSON.stringify({ ...JSON.parse(original), domain: 'cooking' }));
    fs.rmSync(path.join(run.runDir, 'manifest.json'));
    try {
      await expect(createRunScoringService({ runDir: run.runDir, llm: run.llm, llmOverrides: run.llmOverrides })).rejects.toMatchObject({
        field: 'dataset.domain',
        message: expect.stringMatching(/"cooking".*Re-prepare the run with a valid --domain/),
      });
    } finally {
      fs.writeFileSync(meta, original);
    }
  });
});
