import { InvalidOptionError } from './errors';

// Checks that libraries run once on their options objects; each failure is an InvalidOptionError
// naming the field, the bad value and what would be valid.

/**
 * A short description of a bad value for error messages, the one wording of every @score
 * package: strings quoted (cut at 60 characters), numbers, booleans, `null` and `undefined` as
 * written, `an array of N`, `an object`, otherwise the type (`a function`).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Checks that `value` is an options object (not null, not an array). */
export function checkObject<T>(field: string, value: T): asserts value is NonNullable<T> & (T extends object ? T : Record<string, unknown>) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(field, `must be an options object, got ${describeValue(value)}.`, value);
  }
}

/** What an integer check accepts, in the one wording: "an integer", "an integer of at least 1", "an integer from 1 to 8". */
function integerRule(minimum: number, maximum: number): string {
  const low = minimum > Number.MIN_SAFE_INTEGER;
  const high = maximum < Number.MAX_SAFE_INTEGER;
  if (low && high) return `an integer from ${minimum} to ${maximum}`;
  if (low) return `an integer of at least ${minimum}`;
  if (high) return `an integer of at most ${maximum}`;
  return 'an integer';
}

/**
 * Checks that `value` is an integer in [`minimum`, `maximum`].
 * @param minimum - @defaultValue `Number.MIN_SAFE_INTEGER` (no lower bound)
 * @param maximum - @defaultValue `Number.MAX_SAFE_INTEGER` (no upper bound)
 * @throws InvalidOptionError `<field> must be an integer of at least <minimum>, got <value>.`
 */
export function checkInteger(field: string, value: unknown, minimum = Number.MIN_SAFE_INTEGER, maximum = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new InvalidOptionError(field, `must be ${integerRule(minimum, maximum)}, got ${describeValue(value)}.`, value);
  }
  return value;
}

/** An integer option in [`minimum`, `maximum`] ({@link checkInteger}), or the fallback when left out. */
export function integerOption(field: string, value: unknown, fallback: number, minimum = Number.MIN_SAFE_INTEGER, maximum = Number.MAX_SAFE_INTEGER): number {
  return value === undefined ? fallback : checkInteger(field, value, minimum, maximum);
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

/**
 * Checks that `value` is an integer of at least `minimum` or `Infinity` (a limit that may be left
 * unbounded).
 * @param minimum - @defaultValue 1
 * @throws InvalidOptionError `<field> must be an integer of at least <minimum> or Infinity, got <value>.`
 */
export function checkIntegerOrInfinity(field: string, value: unknown, minimum = 1): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new InvalidOptionError(field, `must be ${integerRule(minimum, Number.MAX_SAFE_INTEGER)} or Infinity, got ${describeValue(value)}.`, value);
  }
  return value;
}

/** Bounds of {@link checkNumber}; an open end excludes the bound itself. */
export interface NumberBounds {
  /** @defaultValue -Infinity (no lower bound) */
  readonly minimum?: number;
  /** @defaultValue Infinity (no upper bound) */
  readonly maximum?: number;
  /** Whether `minimum` itself is excluded. @defaultValue false */
  readonly openMinimum?: boolean;
  /** Whether `maximum` itself is excluded. @defaultValue false */
  readonly openMaximum?: boolean;
}

/** What a number check accepts, in the one wording: "a finite number", "a number in [0, 1]", "a finite number greater than 0". */
function numberRule({ minimum = -Infinity, maximum = Infinity, openMinimum = false, openMaximum = false }: NumberBounds): string {
  const low = Number.isFinite(minimum);
  const high = Number.isFinite(maximum);
  if (low && high) return `a number in ${openMinimum ? '(' : '['}${minimum}, ${maximum}${openMaximum ? ')' : ']'}`;
  if (low) return `a finite number ${openMinimum ? 'greater than' : 'of at least'} ${minimum}`;
  if (high) return `a finite number ${openMaximum ? 'less than' : 'of at most'} ${maximum}`;
  return 'a finite number';
}

/**
 * Checks that `value` is a finite number within `bounds`.
 * @throws InvalidOptionError `<field> must be a number in [<minimum>, <maximum>], got <value>.`
 */
export function checkNumber(field: string, value: unknown, bounds: NumberBounds = {}): number {
  const { minimum = -Infinity, maximum = Infinity, openMinimum = false, openMaximum = false } = bounds;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < minimum ||
    value > maximum ||
    (openMinimum && value === minimum) ||
    (openMaximum && value === maximum)
  ) {
    throw new InvalidOptionError(field, `must be ${numberRule(bounds)}, got ${describeValue(value)}.`, value);
  }
  return value;
}

/**
 * A number option in [minimum, maximum] ({@link checkNumber}), or the fallback when left out.
 * @param openMinimum - Whether `minimum` itself is excluded. @defaultValue false
 * @param openMaximum - Whether `maximum` itself is excluded. @defaultValue false
 */
export function numberOption(field: string, value: unknown, fallback: number, minimum: number, maximum: number, openMinimum = false, openMaximum = false): number {
  return value === undefined ? fallback : checkNumber(field, value, { minimum, maximum, openMinimum, openMaximum });
}

/**
 * Checks that `value` is one of `allowed`.
 * @throws InvalidOptionError `<field> must be one of "a", "b", got <value>.`
 */
export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(field, `must be one of ${allowed.map((name) => JSON.stringify(name)).join(', ')}, got ${describeValue(value)}.`, value);
  }
  return value as T;
}

/** Checks that `value` is left out or an options object ({@link checkObject}). */
export function checkOptionalObject(field: string, value: unknown): void {
  if (value !== undefined) checkObject(field, value);
}
