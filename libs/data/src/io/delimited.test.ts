import { describe, expect, it } from 'vitest';
import { splitDelimited } from './delimited';

describe('splitDelimited', () => {
  it('handles quotes, escaped quotes, empty fields and open quotes', () => {
    expect(splitDelimited('a,"b,c","say ""hi""",,e', ',')).toEqual({ fields: ['a', 'b,c', 'say "hi"', '', 'e'], complete: true });
    expect(splitDelimited('a\t"b\tc"', '\t')).toEqual({ fields: ['a', 'b\tc'], complete: true });
    expect(splitDelimited('a,"open', ',').complete).toBe(false);
  });
});
