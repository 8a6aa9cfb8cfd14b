import { checkInteger } from '@score/core';
import { InvalidArgumentError } from 'commander';

/** A flag's text as a number when it is a number literal, else the text itself (so that an error quotes it as given). */
export function flagValue(value: string): number | string {
  return value.trim() === '' || Number.isNaN(Number(value)) ? value : Number(value);
}

/**
 * A commander parser for an integer flag of at least `minimum`: the value is checked with
 * @score/core's `checkInteger` (its one wording, naming the flag) and a bad one fails as commander's
 * InvalidArgumentError.
 */
export function integerFlag(name: string, minimum: number) {
  return (value: string): number => {
    try {
      return checkInteger(name, flagValue(value), minimum);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** Parses a positive integer flag value, or fails with the flag's name. */
export function positiveInteger(name: string) {
  return integerFlag(name, 1);
}

/** Parses a non-negative integer flag value. */
export function nonNegativeInteger(name: string) {
  return integerFlag(name, 0);
}
