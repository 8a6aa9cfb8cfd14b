import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test-helpers';
import { ConfigValidationError } from './config-error';
import { loadConfig } from './load-config';

const BIN = path.resolve(import.meta.dirname, '../../bin/score-train.js');

function problems(values: Record<string, unknown>): string[] {
  try {
    loadConfig({ values });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  throw new Error('the config was accepted');
}

describe('prompt settings are checked when the config is loaded', () => {
  it('data.domain must have a prompt preset', () => {
    expect(problems({ data: { domain: 'cars' } })).toEqual(['data.domain: must be one of "movies", "games", "books"; got "cars" (in the config values)']);
    expect(loadConfig({ values: { data: { domain: 'books' } } }).config.data.domain).toBe('books');
  });

  it('K_s fits in K_e, in score-serve\'s range, and in every sweep', () => {
    expect(problems({ car: { retrieved: 3 }, sare: { kept: 4 } })).toEqual([
      'sare.kept: K_s (4) is larger than car.retrieved, K_e (3): SARE cannot keep more users than CAR retrieves',
      'rec.kept: K_s (4) is larger than car.retrieved, K_e (3): SARE cannot keep more users than CAR retrieves',
      'eval.keptSweep: K_s 4 is larger than car.retrieved, K_e (3), which the K_s sweep retrieves',
    ]);
    expect(problems({ rec: { kept: 11 }, car: { retrieved: 20 } })).toEqual(['rec.kept: must be <= 10; got 11 (in the config values)']);
    expect(problems({ eval: { keptSweep: [1, 12] }, car: { retrieved: 20 } })).toEqual(['eval.keptSweep.1: must be <= 10; got 12 (in the config values)']);
    expect(problems({ car: { retrieved: 5 }, eval: { keptSweep: [1, 6] } })).toEqual(['eval.keptSweep: K_s 6 is larger than car.retrieved, K_e (5), which the K_s sweep retrieves']);
    expect(problems({ eval: { retrievedSweep: [1, 10] } })).toEqual(['eval.retrievedSweep: K_e 1 is smaller than rec.kept, K_s (2), which the K_e sweep keeps']);
    expect(problems({ rec: { maxBehaviourItems: 20_000 } })).toEqual(['rec.maxBehaviourItems: must be <= 10000; got 20000 (in the config values)']);
  });

  it('prepare --domain is refused before any data is read or any folder made', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const result = spawnSync(process.execPath, [BIN, 'prepare', '--synthetic', '--domain', 'cars', '--out', out], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("error: option '--domain <domain>' argument 'cars' is invalid. Allowed choices are movies, games, books.");
    expect(fs.existsSync(out)).toBe(false);
    // The same value in a config file or --set is a config error naming the key.
    await expect(runCli(['run', '--run-dir', out, '--only', 'prepare', '--set', 'data.domain=cars'])).rejects.toThrow('Invalid "data.domain": must be one of "movies", "games", "books"; got "cars" (from --set data.domain=cars).');
    expect(fs.existsSync(out)).toBe(false);
  });
});
