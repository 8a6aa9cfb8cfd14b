import { z } from 'zod';
import { scoreConfigSchema } from './config-schema';

/** One key of the config, as listed by {@link listConfigKeys}. */
export interface ConfigKeyDescription {
  /** Dotted key path, e.g. "crm.hiddenSize". */
  readonly path: string;
  /** For keys of one alternative of a `kind`-discriminated section: that kind, e.g. "synthetic". */
  readonly variant?: string;
  /** The accepted type, e.g. "integer", `"sasrec" | "mf"`, "list of integer". */
  readonly type: string;
  /** The built-in default as JSON, "required", or "none" (optional without a default). */
  readonly defaultValue: string;
  /** Meaning of the key (its `.describe()` text). */
  readonly description: string;
  /** Whether this key is a section (an object whose keys are listed after it). */
  readonly section: boolean;
}

type AnySchema = z.core.$ZodType;

interface Unwrapped {
  readonly schema: AnySchema;
  readonly description?: string;
  readonly defaultValue?: unknown;
  readonly hasDefault: boolean;
  readonly optional: boolean;
}

function descriptionOf(schema: AnySchema): string | undefined {
  return z.globalRegistry.get(schema)?.description;
}

/** Looks through default/prefault/optional/preprocess wrappers for the described core schema. */
function unwrap(schema: AnySchema): Unwrapped {
  let node = schema;
  let description = descriptionOf(node);
  let defaultValue: unknown;
  let hasDefault = false;
  let optional = false;
  for (;;) {
    const def = node._zod.def as unknown as { type: string; innerType?: AnySchema; defaultValue?: unknown; out?: AnySchema };
    if ((def.type === 'default' || def.type === 'prefault') && !hasDefault) {
      hasDefault = true;
      defaultValue = def.defaultValue;
    }
    if (def.type === 'optional') optional = true;
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe' && def.out) node = def.out;
    else break;
    description ??= descriptionOf(node);
  }
  return { schema: node, description, defaultValue, hasDefault, optional };
}

function typeOf(schema: AnySchema): string {
  const def = schema._zod.def as unknown as {
    type: string;
    values?: unknown[];
    entries?: Record<string, unknown>;
    element?: AnySchema;
    options?: AnySchema[];
    discriminator?: string;
    checks?: { _zod: { def: { check: string; format?: string } } }[];
  };
  switch (def.type) {
    case 'number':
      return (schema as unknown as { isInt?: boolean }).isInt ? 'integer' : 'number';
    case 'literal':
      return def.values!.map((value) => JSON.stringify(value)).join(' | ');
    case 'enum':
      return Object.values(def.entries!).map((value) => JSON.stringify(value)).join(' | ');
    case 'array':
      return `list of ${typeOf(unwrap(def.element!).schema)}`;
    case 'union':
      if (def.discriminator) return `object by ${def.discriminator}: ${def.options!.map((option) => kindOf(option, def.discriminator!)).join(' | ')}`;
      return def.options!.map((option) => typeOf(unwrap(option).schema)).join(' | ');
    default:
      return def.type;
  }
}

function kindOf(option: AnySchema, discriminator: string): string {
  const shape = (unwrap(option).schema._zod.def as unknown as { shape: Record<string, AnySchema> }).shape;
  return typeOf(unwrap(shape[discriminator]!).schema);
}

function formatDefault(entry: Unwrapped): string {
  if (entry.hasDefault) {
    const value = entry.defaultValue;
    return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0 ? '(each key\'s default)' : JSON.stringify(value);
  }
  return entry.optional ? 'none' : 'required';
}

function walk(schema: AnySchema, prefix: string, variant: string | undefined, into: ConfigKeyDescription[]): void {
  const shape = (schema._zod.def as unknown as { shape: Record<string, AnySchema> }).shape;
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const entry = unwrap(child);
    const def = entry.schema._zod.def as unknown as { type: string; options?: AnySchema[]; discriminator?: string };
    const isSection = def.type === 'object' || (def.type === 'union' && def.options!.some((option) => unwrap(option).schema._zod.def.type === 'object'));
    into.push({ path, ...(variant ? { variant } : {}), type: def.type === 'object' ? 'section' : typeOf(entry.schema), defaultValue: formatDefault(entry), description: entry.description ?? '', section: isSection });
    if (def.type === 'object') walk(entry.schema, path, variant, into);
    else if (def.type === 'union') {
      for (const option of def.options!) {
        const inner = unwrap(option).schema;
        if (inner._zod.def.type !== 'object') continue;
        const kind = def.discriminator ? kindOf(inner, def.discriminator).replace(/"/g, '') : undefined;
        walk(inner, path, kind ? `${def.discriminator} = ${kind}` : variant, into);
      }
    }
  }
}

/** Every key of {@link scoreConfigSchema}, sections first then their keys, in schema order. */
export function listConfigKeys(): ConfigKeyDescription[] {
  const keys: ConfigKeyDescription[] = [];
  walk(scoreConfigSchema, '', undefined, keys);
  return keys;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * A Markdown table of every config key (path, type, default, description), generated from the
 * schema, for the reference docs. Keys of one `kind` alternative say so in the description.
 */
export function describeConfig(): string {
  const lines = ['| Key | Type | Default | Description |', '|---|---|---|---|'];
  for (const key of listConfigKeys()) {
    const when = key.variant ? `*When ${key.variant}.* ` : '';
    lines.push(`| \`${key.path}\` | ${cell(key.type)} | ${cell(key.defaultValue === 'required' || key.defaultValue === 'none' ? key.defaultValue : `\`${key.defaultValue}\``)} | ${cell(when + key.description)} |`);
  }
  return `${lines.join('\n')}\n`;
}
