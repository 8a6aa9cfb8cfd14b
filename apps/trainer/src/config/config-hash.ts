import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and `undefined` members dropped, so equal values
 * always give the same text (the input of {@link hashConfig} and of the stage input hashes).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((entry) => (entry === undefined ? null : sortKeys(entry)));
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) sorted[key] = sortKeys(entry);
    }
    return sorted;
  }
  return value;
}

/** The sha256 (hex) of a value's {@link canonicalJson}: stable across key order and runs. */
export function hashConfig(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
