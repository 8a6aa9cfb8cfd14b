import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StaleRunError } from '@score/data';
import { describe, expect, it } from 'vitest';
import { loadRunComponents } from './run-components';

describe('loading a run', () => {
  it('refuses a run whose stages no longer match their inputs (re-prepared after training)', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-serve-stale-'));
    const record = (outputHash: string, upstream: Record<string, string>) => ({ status: 'done', outputHash, inputs: { config: {}, files: [], upstream, version: 1 } });
    fs.writeFileSync(
      path.join(runDir, 'manifest.json'),
      JSON.stringify({ formatVersion: 1, config: {}, stages: { prepare: record('new', {}), crm: record('c', { prepare: 'old' }), car: record('r', { prepare: 'old', crm: 'c' }) } }),
    );
    const error = await loadRunComponents({ runDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StaleRunError);
    expect((error as Error).message).toContain(`The run ${runDir} is stale: stage "crm" (its input "prepare" changed after it ran), "car" no longer match their inputs`);
    fs.rmSync(runDir, { recursive: true, force: true });
  });
});
