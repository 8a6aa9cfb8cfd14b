/**
 * Parses a Python literal (dict, list, tuple, str, int, float, True/False/None), as written by
 * the 2014 Amazon metadata files (`{'asin': '0001', 'title': "Kid's Game", ...}`), which are not
 * JSON. Throws a `SyntaxError` with the offset on anything else.
 */
export function parsePythonLiteral(text: string): unknown {
  const parser = new PythonLiteralParser(text);
  const result = parser.value();
  parser.skip();
  if (parser.i !== text.length) parser.fail('unexpected text after the value');
  return result;
}

/** A recursive-descent reader over `text`, `i` the offset of the next character. */
class PythonLiteralParser {
  i = 0;

  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at character ${this.i + 1}`);
  }

  /** Skips white space. */
  skip(): void {
    const { text } = this;
    while (this.i < text.length && (text[this.i] === ' ' || text[this.i] === '\t' || text[this.i] === '\n' || text[this.i] === '\r')) this.i++;
  }

  /** Any literal at the offset. */
  value(): unknown {
    const { text } = this;
    this.skip();
    const c = text[this.i];
    if (c === '{') return this.dict();
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === "'" || c === '"') return this.string(c);
    if (c === 'u' && (text[this.i + 1] === "'" || text[this.i + 1] === '"')) {
      this.i++;
      return this.string(text[this.i]);
    }
    return this.word();
  }

  /** `{key: value, ...}` (keys turned into strings), the offset at `{`. */
  private dict(): Record<string, unknown> {
    const { text } = this;
    this.i++;
    const out: Record<string, unknown> = {};
    this.skip();
    while (text[this.i] !== '}') {
      const key = this.value();
      this.skip();
      if (text[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      out[String(key)] = this.value();
      this.skip();
      if (text[this.i] === ',') this.i++;
      else if (text[this.i] !== '}') this.fail('expected "," or "}"');
      this.skip();
    }
    this.i++;
    return out;
  }

  /** A list or tuple up to `close`, the offset at its opening bracket. */
  private sequence(close: string): unknown[] {
    const { text } = this;
    this.i++;
    const out: unknown[] = [];
    this.skip();
    while (text[this.i] !== close) {
      out.push(this.value());
      this.skip();
      if (text[this.i] === ',') this.i++;
      else if (text[this.i] !== close) this.fail(`expected "," or "${close}"`);
      this.skip();
    }
    this.i++;
    return out;
  }

  /** True, False, None or a number. */
  private word(): unknown {
    const word = /^(True|False|None|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(this.text.slice(this.i, this.i + 40));
    if (word === null) return this.fail('unexpected character');
    this.i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0]);
  }

  /** A string in `quote`s with Python's escapes, the offset at the opening quote. */
  private string(quote: string): string {
    const { text } = this;
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string');
      const c = text[this.i];
      if (c === quote) {
        this.i++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const e = text[this.i + 1];
      this.i += 2;
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '\\': out += '\\'; break;
        case "'": out += "'"; break;
        case '"': out += '"'; break;
        case 'x': out += String.fromCharCode(parseInt(text.slice(this.i, this.i + 2), 16)); this.i += 2; break;
        case 'u': out += String.fromCharCode(parseInt(text.slice(this.i, this.i + 4), 16)); this.i += 4; break;
        default: out += `\\${e}`;
      }
    }
  }
}
