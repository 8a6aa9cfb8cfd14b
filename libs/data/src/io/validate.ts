import { InvalidOptionError } from '@score/core';

/** Throws unless `value` is a non-empty string. */
export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(field, `expected a non-empty string, got ${describe(value)}.`, value);
  }
  return value;
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new InvalidOptionError(field, `expected ${range}, got ${describe(value)}.`, value);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max]. */
export function requireNumber(field: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionError(field, `expected a finite number from ${min} to ${max}, got ${describe(value)}.`, value);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(field, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}.`, value);
  }
  return value as T;
}

/** Throws unless `value` is a plain object (used for the options argument itself). */
export function requireObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(field, `expected an options object, got ${describe(value)}.`, value);
  }
  return value as Record<string, unknown>;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}
