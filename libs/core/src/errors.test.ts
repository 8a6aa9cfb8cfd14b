import { describe, expect, it } from 'vitest';
import { DataFormatError, EmptySplitError, InvalidOptionError, ScoreError, UnknownIdError } from './errors';
import { createMatrix, matrixRow } from './matrix';

describe('errors', () => {
  it('DataFormatError names the file, line and field and keeps them as fields', () => {
    const error = new DataFormatError('rating "x" is not a number', { path: 'ratings.dat', line: 7, field: 'rating', column: 3 });
    expect(error).toBeInstanceOf(ScoreError);
    expect(error.name).toBe('DataFormatError');
    expect(error.code).toBe('DATA_FORMAT');
    expect(error.message).toBe('ratings.dat, line 7, field "rating": rating "x" is not a number');
    expect([error.path, error.line, error.column, error.field]).toEqual(['ratings.dat', 7, 3, 'rating']);
  });

  it('UnknownIdError lists a few ids and the count', () => {
    const error = new UnknownIdError('item', ['1', '2', '3', '4', '5', '6'], 42, 'in interactions.csv');
    expect(error.message).toBe('42 unknown item ids in interactions.csv: "1", "2", "3", "4", "5", ....');
    expect(error.count).toBe(42);
    expect(error.kind).toBe('item');
  });

  it('other errors carry their fields', () => {
    expect(new EmptySplitError('test').split).toBe('test');
    const invalid = new InvalidOptionError('crm.hiddenSize', 'must be a positive integer, got -1', -1);
    expect(invalid.field).toBe('crm.hiddenSize');
    expect(invalid.message).toBe('Invalid "crm.hiddenSize": must be a positive integer, got -1');
  });
});

describe('matrix', () => {
  it('creates and views rows', () => {
    const m = createMatrix(2, 3, Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect(Array.from(matrixRow(m, 1))).toEqual([4, 5, 6]);
    expect(() => createMatrix(2, 2, new Float32Array(3))).toThrow(/needs 4 values, got 3/);
    expect(() => matrixRow(m, 2)).toThrow(RangeError);
  });
});
