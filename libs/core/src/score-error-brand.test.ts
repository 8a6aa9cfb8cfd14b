import { describe, expect, it } from 'vitest';
import { DataFormatError, InvalidOptionError, LanguageModelError, ScoreError } from './errors';
import type * as Errors from './errors';

/** A second, independent evaluation of errors.ts: what a second installed copy of @score/core is. */
async function secondCopy(): Promise<typeof Errors> {
  // The query string makes the module loader evaluate the file again, as a module of its own.
  const specifier = './errors.ts?second-copy';
  return (await import(/* @vite-ignore */ specifier)) as typeof Errors;
}

describe('ScoreError.isInstance', () => {
  it('recognises errors of this copy, by class and subclass', () => {
    const invalid = new InvalidOptionError('k', 'must be an integer >= 1, got 0.', 0);
    expect(ScoreError.isInstance(invalid)).toBe(true);
    expect(InvalidOptionError.isInstance(invalid)).toBe(true);
    expect(DataFormatError.isInstance(invalid)).toBe(false);
    expect(InvalidOptionError.isInstance(new DataFormatError('bad', { path: 'a.csv' }))).toBe(false);
    expect(ScoreError.isInstance(new ScoreError('plain'))).toBe(true);
    expect(InvalidOptionError.isInstance(new ScoreError('plain'))).toBe(false);
    for (const value of [new Error('x'), new TypeError('x'), null, undefined, 'InvalidOptionError', 42, {}, { name: 'ScoreError', code: 'SCORE_ERROR' }]) {
      expect(ScoreError.isInstance(value)).toBe(false);
    }
  });

  it('recognises subclasses defined outside core, through every ancestor', () => {
    class ConfigError extends InvalidOptionError {}
    const error = new ConfigError('crm.hiddenSize', 'must be a positive integer, got -1.', -1);
    expect([ConfigError.isInstance(error), InvalidOptionError.isInstance(error), ScoreError.isInstance(error)]).toEqual([true, true, true]);
    expect(ConfigError.isInstance(new InvalidOptionError('a', 'b'))).toBe(false);
  });

  it('recognises errors thrown by a second copy of the module, where instanceof fails', async () => {
    const copy = await secondCopy();
    // The copy really is another module evaluation: its classes are different objects.
    expect(copy.ScoreError).not.toBe(ScoreError);
    const foreign = new copy.InvalidOptionError('seed', 'must be an integer, got 0.5.', 0.5);
    expect(foreign).not.toBeInstanceOf(ScoreError);
    expect(foreign).not.toBeInstanceOf(InvalidOptionError);
    expect(ScoreError.isInstance(foreign)).toBe(true);
    expect(InvalidOptionError.isInstance(foreign)).toBe(true);
    expect(LanguageModelError.isInstance(foreign)).toBe(false);
    // ... and the other way round.
    const local = new LanguageModelError('HTTP 503', { provider: 'openai', status: 503, retryable: true });
    expect(copy.ScoreError.isInstance(local)).toBe(true);
    expect(copy.LanguageModelError.isInstance(local)).toBe(true);
    expect(copy.InvalidOptionError.isInstance(local)).toBe(false);
  });

  it('keeps the brand out of JSON and enumeration, under the shared Symbol.for key', () => {
    const error = new InvalidOptionError('k', 'bad', 3);
    const brand = Symbol.for('@score/core/ScoreError');
    expect((error as unknown as Record<symbol, unknown>)[brand]).toEqual(['InvalidOptionError', 'ScoreError']);
    expect(Object.getOwnPropertyDescriptor(error, brand)?.enumerable).toBe(false);
    expect(Object.getOwnPropertySymbols({ ...error })).toEqual([]);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'INVALID_OPTION', name: 'InvalidOptionError', field: 'k', value: 3 });
  });
});
