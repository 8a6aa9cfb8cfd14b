import { DataFormatError, InvalidOptionError } from '@score/core';

/** Unit of a timestamp column. */
export type TimestampUnit = 'seconds' | 'milliseconds';

/** The units a timestamp column may be read in. */
export const TIMESTAMP_UNITS: readonly TimestampUnit[] = Object.freeze(['seconds', 'milliseconds']);

/**
 * Largest Unix time in seconds (either sign) that a dataset may hold: 1e11 s is in the year 5138,
 * so a larger value is no date a dataset records; a time in milliseconds of any date after
 * 1973-03-03 is larger, which is how a milliseconds column read as seconds is caught.
 */
export const MAX_TIMESTAMP_SECONDS = 1e11;

const FIX = 'Read the file with timestampUnit "milliseconds" (score-train prepare --timestamp-unit milliseconds, or data.source.timestampUnit in the config), or divide the column by 1000.';

/** Throws unless `value` is `"seconds"` or `"milliseconds"`. */
export function checkTimestampUnit(field: string, value: unknown): TimestampUnit {
  if (value === 'seconds' || value === 'milliseconds') return value;
  throw new InvalidOptionError(field, `expected "seconds" or "milliseconds", got ${JSON.stringify(value) ?? String(value)}.`, value);
}

/**
 * Why a time cannot be a Unix time in `unit` (out of range, or milliseconds where seconds are
 * expected), as a sentence without a subject, or undefined when it is fine.
 */
export function timestampProblem(value: number, unit: TimestampUnit = 'seconds'): string | undefined {
  const scale = unit === 'milliseconds' ? 1000 : 1;
  if (Math.abs(value) <= MAX_TIMESTAMP_SECONDS * scale) return undefined;
  if (unit === 'seconds' && Math.abs(value) <= MAX_TIMESTAMP_SECONDS * 1000) {
    return `is not a Unix time in seconds (it would fall after the year 5138); it looks like milliseconds (${new Date(value).toISOString()}). ${FIX}`;
  }
  return `is out of range for a Unix time in ${unit} (expected -1e${11 + Math.log10(scale)} to 1e${11 + Math.log10(scale)}, i.e. before the year 5138).`;
}

/**
 * A time of a file's row as Unix seconds: `value` in `unit`, checked by {@link timestampProblem}.
 * @throws DataFormatError naming the file, line, field and value otherwise.
 */
export function timestampSeconds(value: number, unit: TimestampUnit, where: { readonly path: string; readonly line: number; readonly field: string; readonly column?: number }): number {
  const problem = timestampProblem(value, unit);
  if (problem !== undefined) throw new DataFormatError(`${String(value)} ${problem}`, where);
  return unit === 'milliseconds' ? value / 1000 : value;
}
