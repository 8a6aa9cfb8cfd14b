/** A string as an SQL literal for a LanceDB `where` filter (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A finite number as an SQL literal (always with a decimal point, so it compares as a float). */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`Only finite numbers can be written as SQL literals, got ${value}.`);
  }
  return Number.isInteger(value) && Math.abs(value) < 1e15 ? `${value}.0` : String(value);
}
