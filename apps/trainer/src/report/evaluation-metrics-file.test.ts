import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError } from '@score/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEvaluationMetrics, validateEvaluationMetrics, writeEvaluationMetrics } from './evaluation-metrics-file';
import { reportFixture } from './report-fixture';

describe('metrics.json', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-report-metrics-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips through write and read, leaving no temporary file', async () => {
    const file = path.join(dir, 'metrics.json');
    await writeEvaluationMetrics(file, reportFixture());
    expect(await readEvaluationMetrics(file)).toEqual(reportFixture());
    expect(fs.readdirSync(dir)).toEqual(['metrics.json']);
  });

  it('rejects a malformed file naming the file and the field', async () => {
    const file = path.join(dir, 'metrics.json');
    const value = JSON.parse(JSON.stringify(reportFixture())) as { models: { auc: unknown }[] };
    value.models[3]!.auc = 1.5;
    fs.writeFileSync(file, JSON.stringify(value));
    const error = await readEvaluationMetrics(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).field).toBe('models.3.auc');
    expect((error as DataFormatError).message).toBe(`${file}, field "models.3.auc": must be <= 1; got 1.5; the file does not match the metrics.json layout.`);
  });

  it('names a missing required field and an unknown family', async () => {
    const file = path.join(dir, 'metrics.json');
    const value = JSON.parse(JSON.stringify(reportFixture())) as Record<string, unknown> & { models: { family: string }[] };
    delete value.configHash;
    fs.writeFileSync(file, JSON.stringify(value));
    await expect(readEvaluationMetrics(file)).rejects.toMatchObject({ field: 'configHash' });
    value.configHash = 'b'.repeat(64);
    value.models[0]!.family = 'ensemble';
    fs.writeFileSync(file, JSON.stringify(value));
    await expect(readEvaluationMetrics(file)).rejects.toThrow(/field "models\.0\.family": must be one of "baseline", "llm"; got "ensemble"/);
  });

  it('reports a file that is not JSON, and a missing file', async () => {
    const file = path.join(dir, 'metrics.json');
    fs.writeFileSync(file, '{"formatVersion": 1,');
    await expect(readEvaluationMetrics(file)).rejects.toThrow(/is not valid JSON/);
    await expect(readEvaluationMetrics(path.join(dir, 'absent.json'))).rejects.toBeInstanceOf(ArtifactNotFoundError);
    fs.writeFileSync(file, '[1, 2]');
    const error = await readEvaluationMetrics(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).field).toBeUndefined();
    expect((error as DataFormatError).message).toMatch(/expected object, got \[1,2\]/);
  });

  it('refuses to write invalid metrics, naming the field, and writes nothing', async () => {
    const file = path.join(dir, 'metrics.json');
    const metrics = { ...reportFixture(), sweeps: { retrieved: [{ k: 0, auc: 0.7, uauc: 0.7 }], kept: [] } };
    const error = await writeEvaluationMetrics(file, metrics).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).field).toBe('metrics.sweeps.retrieved.0.k');
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(() => validateEvaluationMetrics({ ...reportFixture(), extra: true })).toThrow(/extra/);
    expect(() => validateEvaluationMetrics(null)).toThrow(expect.objectContaining({ field: 'metrics' }));
  });
});
