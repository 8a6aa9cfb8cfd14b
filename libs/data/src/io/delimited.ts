/** The result of splitting one delimited record. */
export interface DelimitedRecord {
  readonly fields: string[];
  /** False when the text ends inside a quoted field (the record continues on the next line). */
  readonly complete: boolean;
}

/**
 * Splits one CSV/TSV record (RFC 4180 quoting: a field in double quotes may hold the delimiter,
 * line breaks and `""` for a quote). Unquoted fields are kept as written.
 */
export function splitDelimited(text: string, delimiter: string): DelimitedRecord {
  const fields: string[] = [];
  const length = text.length;
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return { fields, complete: false };
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      // Text between the closing quote and the delimiter is kept (lenient).
      const next = text.indexOf(delimiter, i);
      const stop = next < 0 ? length : next;
      value += text.slice(i, stop);
      fields.push(value);
      if (next < 0) return { fields, complete: true };
      i = next + delimiter.length;
    } else {
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(text.slice(i));
        return { fields, complete: true };
      }
      fields.push(text.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/** Most lines a quoted field may span before the reader gives up on it (a closing quote is missing). */
export const MAX_QUOTED_FIELD_LINES = 10_000;

/** Most characters a quoted field may hold before the reader gives up on it (1 MiB). */
export const MAX_QUOTED_FIELD_CHARS = 1 << 20;

/**
 * Splits CSV/TSV records given one line at a time, with the quoting rules of
 * {@link splitDelimited}; a record whose quoted field holds line breaks spans several lines.
 * Each character is looked at once (a record continued over many lines is not re-split), so
 * reading stays linear however long a quoted field runs.
 */
export class DelimitedRecordReader {
  readonly #delimiter: string;
  #fields: string[] = [];
  #value = '';
  #open = false;
  #openLine = 0;
  #openColumn = 0;
  #recordLine = 0;

  constructor(delimiter: string) {
    this.#delimiter = delimiter;
  }

  /** True while a quoted field is open (the record goes on at the next line). */
  get pending(): boolean {
    return this.#open;
  }

  /** Line (1-based) where the current record started. */
  get recordLine(): number {
    return this.#recordLine;
  }

  /** Where the open quoted field started: its line and field position (1-based). */
  get openedAt(): { readonly line: number; readonly column: number } {
    return { line: this.#openLine, column: this.#openColumn };
  }

  /** Characters held so far by the open quoted field (0 when none is open). */
  get openChars(): number {
    return this.#open ? this.#value.length : 0;
  }

  /**
   * Takes the next line (without its line break) and returns the record's fields when the record
   * ends on it, or `undefined` while a quoted field stays open.
   */
  push(text: string, line: number): string[] | undefined {
    const delimiter = this.#delimiter;
    const length = text.length;
    let i = 0;
    if (this.#open) this.#value += '\n';
    else {
      this.#fields = [];
      this.#value = '';
      this.#recordLine = line;
    }
    for (;;) {
      if (this.#open) {
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) {
            this.#value += text.slice(i);
            return undefined;
          }
          this.#value += text.slice(i, quote);
          if (text[quote + 1] === '"') {
            this.#value += '"';
            i = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        this.#open = false;
        // Text between the closing quote and the delimiter is kept (lenient).
        const next = text.indexOf(delimiter, i);
        const stop = next < 0 ? length : next;
        this.#fields.push(this.#value + text.slice(i, stop));
        this.#value = '';
        if (next < 0) return this.#fields;
        i = next + delimiter.length;
        continue;
      }
      if (text[i] === '"') {
        this.#open = true;
        this.#openLine = line;
        this.#openColumn = this.#fields.length + 1;
        this.#value = '';
        i++;
        continue;
      }
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        this.#fields.push(text.slice(i));
        return this.#fields;
      }
      this.#fields.push(text.slice(i, next));
      i = next + delimiter.length;
    }
  }
}
