import { describe, expect, it } from 'vitest';
import { parsePythonLiteral } from './python-literal';

describe('parsePythonLiteral', () => {
  it('reads the dicts of the 2014 Amazon metadata', () => {
    expect(parsePythonLiteral("{'asin': '01', 'title': \"Kid's \\\"Game\\\"\", 'price': 3.5, 'ok': True, 'none': None, 'tags': [['A', 'B'], ('C',)], 'n': -2}")).toEqual({
      asin: '01',
      title: 'Kid\'s "Game"',
      price: 3.5,
      ok: true,
      none: null,
      tags: [['A', 'B'], ['C']],
      n: -2,
    });
    expect(() => parsePythonLiteral("{'a': 1")).toThrow(SyntaxError);
    expect(() => parsePythonLiteral("{'a': 1} x")).toThrow(/after the value/);
  });
});
