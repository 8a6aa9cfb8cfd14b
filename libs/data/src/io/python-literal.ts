/**
 * Parses a Python literal (dict, list, tuple, str, int, float, True/False/None), as written by
 * the 2014 Amazon metadata files (`{'asin': '0001', 'title': "Kid's Game", ...}`), which are not
 * JSON. Throws a `SyntaxError` with the offset on anything else.
 */
export function parsePythonLiteral(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${i + 1}`);
  };
  const skip = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (): unknown => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      skip();
      while (text[i] !== '}') {
        const key = value();
        skip();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        out[String(key)] = value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('expected "," or "}"');
        skip();
      }
      i++;
      return out;
    }
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const out: unknown[] = [];
      skip();
      while (text[i] !== close) {
        out.push(value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected "," or "${close}"`);
        skip();
      }
      i++;
      return out;
    }
    if (c === "'" || c === '"') return string(c);
    if (c === 'u' && (text[i + 1] === "'" || text[i + 1] === '"')) {
      i++;
      return string(text[i]);
    }
    const word = /^(True|False|None|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(text.slice(i, i + 40));
    if (word === null) return fail('unexpected character');
    i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0]);
  };
  const string = (quote: string): string => {
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === quote) {
        i++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '\\': out += '\\'; break;
        case "'": out += "'"; break;
        case '"': out += '"'; break;
        case 'x': out += String.fromCharCode(parseInt(text.slice(i, i + 2), 16)); i += 2; break;
        case 'u': out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16)); i += 4; break;
        default: out += `\\${e}`;
      }
    }
  };
  const result = value();
  skip();
  if (i !== text.length) fail('unexpected text after the value');
  return result;
}
