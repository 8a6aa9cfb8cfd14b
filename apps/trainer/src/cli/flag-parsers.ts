import { InvalidArgumentError } from 'commander';

/** Parses a positive integer flag value, or fails with the flag's name. */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}".`);
    return parsed;
  };
}

/** Parses a non-negative integer flag value. */
export function nonNegativeInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}".`);
    return parsed;
  };
}
