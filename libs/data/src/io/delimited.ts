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
