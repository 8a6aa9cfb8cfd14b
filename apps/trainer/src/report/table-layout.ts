/** Column alignment. */
export type Alignment = 'left' | 'right';

/** A table: header cells, body rows and one alignment per column. */
export interface TableSpec {
  /** Header cells. */
  readonly headers: readonly string[];
  /** Body rows, one cell per header. */
  readonly rows: readonly (readonly string[])[];
  /** One per column. @defaultValue every column left-aligned */
  readonly align?: readonly Alignment[];
}

/**
 * Escapes every `<` that could open an HTML tag, comment or declaration in Markdown (one followed
 * by a letter, `/`, `!` or `?`), so names and notes stay text; "a <= b" is left readable.
 */
export function escapeMarkdownHtml(text: string): string {
  return text.replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

function escapeMarkdownCell(text: string): string {
  return escapeMarkdownHtml(text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')).replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table, cells escaped (`|`, `\`, `<`, newlines). */
export function markdownTable(table: TableSpec): string {
  const align = table.headers.map((_, column) => table.align?.[column] ?? 'left');
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${align.map((side) => (side === 'right' ? '---:' : '---')).join('|')}|`;
  return [line(table.headers), rule, ...table.rows.map(line)].join('\n');
}

/** A plain-text table with padded columns, a rule under the header, for a terminal. */
export function textTable(table: TableSpec): string {
  const widths = table.headers.map((header, column) => Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (table.align?.[column] === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(table.headers), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(line)].join('\n');
}
