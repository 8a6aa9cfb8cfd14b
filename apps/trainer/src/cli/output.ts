/** Where a command writes its results; tests capture it. */
export interface CommandOutput {
  /** Results (tables or JSON) go here: stdout by default. */
  write(text: string): void;
}

/** Writes to process.stdout. */
export const stdoutOutput: CommandOutput = { write: (text) => void process.stdout.write(text) };

/** Formats rows as a plain aligned text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** Four decimals for fractions, thousands separators for counts. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(4);
}
