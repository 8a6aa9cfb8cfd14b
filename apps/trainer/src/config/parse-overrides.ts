import { InvalidOptionError } from '@score/core';
import { parse as parseYaml } from 'yaml';

/** One `--set key=value` flag, parsed. */
export interface ConfigOverride {
  /** Key path, e.g. `["crm", "epochs"]`. */
  readonly path: readonly string[];
  /** The value, typed: numbers, booleans, `[5, 10]` lists and `{ a: 1 }` maps as in YAML; `null` removes the key. */
  readonly value: unknown;
  /** The flag as written, for error messages. */
  readonly text: string;
}

const KEY_PATH = /^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*$/;

/**
 * Parses `key.path=value`. The value is read as a YAML flow value, so `3` is a number, `true` a
 * boolean, `[5, 10]` a list and `null` removes the key (back to the file's value or the default);
 * anything YAML cannot read stays a plain string.
 */
export function parseOverride(text: string): ConfigOverride {
  const equals = text.indexOf('=');
  if (equals <= 0) {
    throw new InvalidOptionError('--set', `"${text}" is not of the form key.path=value (e.g. --set crm.epochs=3).`, text);
  }
  const key = text.slice(0, equals).trim();
  if (!KEY_PATH.test(key)) {
    throw new InvalidOptionError('--set', `"${key}" in "${text}" is not a dotted key path such as crm.hiddenSize.`, text);
  }
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  if (raw.trim().length > 0) {
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
  }
  return { path: key.split('.'), value, text };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Sets `path` to `value` inside `target` (creating objects on the way); `null` deletes the key. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(node[segment])) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === null) delete node[last];
  else node[last] = value;
}

/** Parses `--set` flags into one nested object, later flags winning. */
export function overridesToObject(overrides: readonly (string | ConfigOverride)[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const entry of overrides) {
    const override = typeof entry === 'string' ? parseOverride(entry) : entry;
    setPath(result, override.path, override.value === null ? undefined : override.value);
  }
  return result;
}

/**
 * Deep-merges `override` onto `base` (a new object): maps merge key by key, anything else
 * (scalars, lists) replaces; an `undefined` or `null` value in `override` removes the key.
 */
export function mergeLayers(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined || value === null) delete merged[key];
    else merged[key] = mergeLayers(base[key], value);
  }
  return merged;
}
