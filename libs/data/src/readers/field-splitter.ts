/**
 * Finds the fields of a line separated by a byte sequence (`::` for MovieLens-1M, `|` or a
 * tab for MovieLens-100K). Writes start/end offsets into `bounds` (2 entries per field) and
 * returns the number of fields, stopping early (returning `max + 1`) when there are more than `max`.
 */
export function splitFields(buffer: Buffer, start: number, end: number, separator: Buffer, bounds: Int32Array, max: number): number {
  const first = separator[0];
  const width = separator.length;
  let count = 0;
  let fieldStart = start;
  for (let i = start; i < end; i++) {
    if (buffer[i] !== first) continue;
    if (width === 2 && buffer[i + 1] !== separator[1]) continue;
    if (count === max) return max + 1;
    bounds[count * 2] = fieldStart;
    bounds[count * 2 + 1] = i;
    count++;
    fieldStart = i + width;
    i += width - 1;
  }
  if (count === max) return max + 1;
  bounds[count * 2] = fieldStart;
  bounds[count * 2 + 1] = end;
  return count + 1;
}
