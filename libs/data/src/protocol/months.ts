import { InvalidOptionError } from '@score/core';

/** The calendar month (UTC) of a Unix time in seconds, as `year * 12 + month` (month 0-based). */
export function monthOf(timestampSeconds: number): number {
  const date = new Date(timestampSeconds * 1000);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** Parses `YYYY-MM` into `year * 12 + month` (month 0-based). */
export function parseMonth(field: string, text: string): number {
  const match = typeof text === 'string' ? /^(\d{4})-(\d{2})$/.exec(text) : null;
  if (match === null || Number(match[2]) < 1 || Number(match[2]) > 12) {
    throw new InvalidOptionError(field, `expected a month written "YYYY-MM" (e.g. "2013-01"), got ${JSON.stringify(text)}.`, text);
  }
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** Writes `year * 12 + month` as `YYYY-MM`. */
export function formatMonth(month: number): string {
  const year = Math.floor(month / 12);
  return `${year}-${String((month % 12) + 1).padStart(2, '0')}`;
}

/** The Unix time (seconds) at which a month starts. */
export function monthStart(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1) / 1000;
}
