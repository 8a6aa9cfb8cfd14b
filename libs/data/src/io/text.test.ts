import { describe, expect, it } from 'vitest';
import { parseNumberBytes, parseNumberText } from './text';

describe('numbers', () => {
  it('parses integers on the fast path and decimals, rejects text', () => {
    const bytes = Buffer.from('978300760|4.5|-2|1e3| 7 |x1|');
    const fields = bytes.toString('latin1').split('|');
    let offset = 0;
    const values = fields.slice(0, -1).map((field) => {
      const value = parseNumberBytes(bytes, offset, offset + field.length);
      offset += field.length + 1;
      return value;
    });
    expect(values).toEqual([978300760, 4.5, -2, 1000, 7, Number.NaN]);
    expect(parseNumberText('')).toBeNaN();
    expect(parseNumberText('Infinity')).toBeNaN();
  });
});
