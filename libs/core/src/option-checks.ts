import { InvalidOptionError } from './errors';

// Checks that libraries run once on their options objects; each failure is an InvalidOptionError
// naming the field, the bad value and what would be valid.

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** Checks that `value` is an options object (not null, not an array). */
export function checkObject<T>(field: string, value: T): asserts value is NonNullable<T> & (T extends object ? T : Record<string, unknown>) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(field, `must be an options object, got ${describeValue(value)}.`, value);
  }
}

/** An integer option of at least `minimum`, or the fallback when left out. */
export function integerOption(field: string, value: unknown, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new InvalidOptionError(field, `must be an integer of at least ${minimum}, got ${describeValue(value)}.`, value);
  }
  return value;
}

/** A non-empty string option. */
export function stringOption(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(field, `must be a non-empty string, got ${describeValue(value)}.`, value);
  }
  return value;
}

/** Checks that an option is an object with the named methods. */
export function checkMethods(field: string, value: unknown, methods: readonly string[], hint: string): void {
  const object = value as Record<string, unknown> | null;
  if (object === null || typeof object !== 'object' || methods.some((name) => typeof object[name] !== 'function')) {
    throw new InvalidOptionError(field, `must be ${hint} (an object with ${methods.map((name) => `${name}()`).join(' and ')}), got ${describeValue(value)}.`, value);
  }
}

/** A number option in [minimum, maximum] (open at the ends named), or the fallback when left out. */
export function numberOption(field: string, value: unknown, fallback: number, minimum: number, maximum: number, openMinimum = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value > maximum || (openMinimum && value === minimum)) {
    throw new InvalidOptionError(field, `must be a number in ${openMinimum ? '(' : '['}${minimum}, ${maximum}], got ${describeValue(value)}.`, value);
  }
  return value;
}
