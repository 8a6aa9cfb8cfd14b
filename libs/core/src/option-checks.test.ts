import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors';
import { checkInteger, checkIntegerOrInfinity, checkNumber, checkObject, checkOneOf, checkOptionalObject, describeValue, integerOption, numberOption, stringOption } from './option-checks';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('describeValue', () => {
  it('describes every kind of value in one wording', () => {
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue('x'.repeat(70))).toBe(JSON.stringify(`${'x'.repeat(57)}...`));
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(true)).toBe('true');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(() => 1)).toBe('a function');
  });
});

describe('checkInteger and integerOption', () => {
  it('accepts integers in range and names the rule and value otherwise', () => {
    expect(checkInteger('k', 3, 1)).toBe(3);
    expect(integerOption('k', undefined, 7, 1)).toBe(7);
    expect(integerOption('k', 2, 7, 1, 4)).toBe(2);
    expect(messageOf(() => checkInteger('k', 0, 1))).toBe('Invalid "k": must be an integer of at least 1, got 0.');
    expect(messageOf(() => checkInteger('k', 2.5, 1, 8))).toContain('must be an integer from 1 to 8, got 2.5.');
    expect(messageOf(() => checkInteger('k', '3'))).toContain('must be an integer, got "3".');
    expect(messageOf(() => integerOption('k', 9, 1, 0, 4))).toContain('must be an integer from 0 to 4, got 9.');
    expect(checkIntegerOrInfinity('maxItems', Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(checkIntegerOrInfinity('maxItems', 3)).toBe(3);
    expect(messageOf(() => checkIntegerOrInfinity('maxItems', 0))).toContain('must be an integer of at least 1 or Infinity, got 0.');
  });
});

describe('checkNumber and numberOption', () => {
  it('accepts finite numbers within bounds, open or closed', () => {
    expect(checkNumber('t', 0.5, { minimum: 0, maximum: 1 })).toBe(0.5);
    expect(numberOption('t', undefined, 0.1, 0, 1)).toBe(0.1);
    expect(messageOf(() => checkNumber('t', Number.POSITIVE_INFINITY))).toContain('must be a finite number, got Infinity.');
    expect(messageOf(() => checkNumber('t', 0, { minimum: 0, openMinimum: true }))).toContain('must be a finite number greater than 0, got 0.');
    expect(messageOf(() => checkNumber('t', -1, { minimum: 0 }))).toContain('must be a finite number of at least 0, got -1.');
    expect(messageOf(() => checkNumber('t', 1, { minimum: 0, maximum: 1, openMaximum: true }))).toContain('must be a number in [0, 1), got 1.');
    expect(messageOf(() => numberOption('t', 0, 0.1, 0, 1, true))).toContain('must be a number in (0, 1], got 0.');
  });
});

describe('checkOneOf, objects and strings', () => {
  it('names the allowed values', () => {
    expect(checkOneOf('pooling', 'cls', ['mean', 'cls'])).toBe('cls');
    expect(messageOf(() => checkOneOf('pooling', 'max', ['mean', 'cls']))).toContain('must be one of "mean", "cls", got "max".');
    expect(messageOf(() => checkObject('options', []))).toContain('must be an options object, got an array of 0.');
    expect(() => checkOptionalObject('options', undefined)).not.toThrow();
    expect(messageOf(() => checkOptionalObject('options', 3))).toContain('must be an options object, got 3.');
    expect(messageOf(() => stringOption('name', ''))).toContain('must be a non-empty string, got "".');
  });
});
