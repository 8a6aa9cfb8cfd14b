import { z } from 'zod';

/** Lower-cases a key and drops `_` and `-`, so `hiden_size` and `hiddenSize` compare closely. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The valid key closest to `key`, when it is close enough to be a likely typo. */
export function closestKey(key: string, validKeys: readonly string[]): string | undefined {
  const wanted = normalizeKey(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of validKeys) {
    const distance = editDistance(wanted, normalizeKey(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}

/**
 * A strict object schema (unknown keys are errors) whose unknown-key message lists the valid keys
 * and suggests the closest one.
 */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const suggestions = issue.keys
        .map((key) => closestKey(key, keys))
        .filter((key): key is string => key !== undefined);
      const hint = suggestions.length > 0 ? ` (did you mean ${suggestions.map((key) => `"${key}"`).join(', ')}?)` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''}${hint}; valid keys are ${keys.join(', ')}`;
    },
  });
}

/** A positive integer. */
export const positiveInt = () => z.number().int().positive();

/** A non-negative integer. */
export const nonNegativeInt = () => z.number().int().nonnegative();

/** A non-empty string (paths, specs). */
export const nonEmptyString = () => z.string().min(1);
