import { InvalidOptionError, describeValue } from '@score/core';

/** Options of {@link createPromptTemplate} and the {@link PromptTemplate} constructor. */
export interface PromptTemplateOptions {
  /**
   * Placeholders the text must contain and `fill` must receive.
   * @defaultValue []
   */
  readonly required?: readonly string[];
  /**
   * Placeholders the text may contain; `fill` may leave them out (they become "").
   * @defaultValue []
   */
  readonly optional?: readonly string[];
  /**
   * Field name used in error messages, e.g. "templates.ci".
   * @defaultValue "template"
   */
  readonly name?: string;
}

/** One `{{Name}}` occurrence, or literal text. */
type Part = { readonly literal: string } | { readonly placeholder: string };

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Placeholder names of a template text, each once, in order of first appearance. A placeholder is
 * written `{{Name}}` (spaces inside the braces are allowed and ignored); a name starts with a
 * letter and holds letters, digits and underscores.
 *
 * @throws InvalidOptionError when a placeholder name is malformed or braces are unbalanced.
 */
export function templatePlaceholders(text: string, name = 'template'): string[] {
  const names: string[] = [];
  for (const part of parse(text, name)) {
    if ('placeholder' in part && !names.includes(part.placeholder)) names.push(part.placeholder);
  }
  return names;
}

/**
 * A text with `{{Name}}` placeholders, checked once when built: every placeholder must be one of
 * `required` or `optional`, and every required one must appear. `fill` then checks the values.
 */
export class PromptTemplate {
  /** The template text, as given. */
  readonly text: string;
  /** Placeholders the text contains and `fill` must receive. */
  readonly required: readonly string[];
  /** Placeholders allowed but not required. */
  readonly optional: readonly string[];
  /** Placeholders found in the text, in order of first appearance. */
  readonly placeholders: readonly string[];
  readonly #parts: readonly Part[];
  readonly #name: string;

  /**
   * @throws InvalidOptionError when the text holds an unknown or malformed placeholder, lacks a
   *   required one, or `required` and `optional` overlap.
   */
  constructor(text: string, options: PromptTemplateOptions = {}) {
    const name = options.name ?? 'template';
    if (typeof text !== 'string') {
      throw new InvalidOptionError(name, `must be a template string, got ${describeValue(text)}.`, text);
    }
    const required = checkNames(`${name}.required`, options.required ?? []);
    const optional = checkNames(`${name}.optional`, options.optional ?? []);
    const overlap = required.find((placeholder) => optional.includes(placeholder));
    if (overlap !== undefined) {
      throw new InvalidOptionError(name, `the placeholder {{${overlap}}} is listed as both required and optional; list it once.`, overlap);
    }
    const parts = parse(text, name);
    const allowed = [...required, ...optional];
    const found: string[] = [];
    for (const part of parts) {
      if (!('placeholder' in part)) continue;
      if (!allowed.includes(part.placeholder)) {
        throw new InvalidOptionError(
          name,
          `the placeholder {{${part.placeholder}}} is not allowed here; valid placeholders are ${listNames(allowed)}.`,
          part.placeholder,
        );
      }
      if (!found.includes(part.placeholder)) found.push(part.placeholder);
    }
    const missing = required.filter((placeholder) => !found.includes(placeholder));
    if (missing.length > 0) {
      throw new InvalidOptionError(name, `the text lacks the required placeholder${missing.length === 1 ? '' : 's'} ${listNames(missing)}.`, text);
    }
    this.text = text;
    this.required = Object.freeze([...required]);
    this.optional = Object.freeze([...optional]);
    this.placeholders = Object.freeze(found);
    this.#parts = parts;
    this.#name = name;
  }

  /**
   * The text with each placeholder replaced by its value (values are inserted verbatim, never
   * scanned for placeholders themselves). Optional placeholders without a value become "".
   *
   * @throws InvalidOptionError when a required value is missing, a key is not a placeholder of
   *   this template, or a value is not a string.
   */
  fill(values: Readonly<Record<string, string>>): string {
    if (values === null || typeof values !== 'object') {
      throw new InvalidOptionError(`${this.#name}.values`, `must be an object of placeholder values, got ${describeValue(values)}.`, values);
    }
    const allowed = [...this.required, ...this.optional];
    for (const [key, value] of Object.entries(values)) {
      if (!allowed.includes(key)) {
        throw new InvalidOptionError(`${this.#name}.values.${key}`, `is not a placeholder of this template; valid placeholders are ${listNames(allowed)}.`, value);
      }
      if (typeof value !== 'string') {
        throw new InvalidOptionError(`${this.#name}.values.${key}`, `must be a string, got ${describeValue(value)}.`, value);
      }
    }
    for (const key of this.required) {
      if (!Object.hasOwn(values, key)) {
        throw new InvalidOptionError(`${this.#name}.values.${key}`, `is required by the template but was not given.`);
      }
    }
    return this.#parts.map((part) => ('literal' in part ? part.literal : (values[part.placeholder] ?? ''))).join('');
  }
}

/** Builds a {@link PromptTemplate}; see its constructor for the checks. */
export function createPromptTemplate(text: string, options: PromptTemplateOptions = {}): PromptTemplate {
  return new PromptTemplate(text, options);
}

function parse(text: string, name: string): Part[] {
  if (typeof text !== 'string') {
    throw new InvalidOptionError(name, `must be a template string, got ${describeValue(text)}.`, text);
  }
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const placeholder = match[1].trim();
    if (!NAME.test(placeholder)) {
      throw new InvalidOptionError(
        name,
        `the placeholder ${JSON.stringify(match[0])} at offset ${match.index} is malformed; write {{Name}} with a name of letters, digits and underscores starting with a letter.`,
        match[0],
      );
    }
    pushLiteral(parts, text.slice(last, match.index), last, name);
    parts.push({ placeholder });
    last = match.index + match[0].length;
  }
  pushLiteral(parts, text.slice(last), last, name);
  return parts;
}

function pushLiteral(parts: Part[], literal: string, offset: number, name: string): void {
  const stray = literal.search(/\{\{|\}\}/);
  if (stray >= 0) {
    throw new InvalidOptionError(
      name,
      `unbalanced braces ${JSON.stringify(literal.slice(stray, stray + 2))} at offset ${offset + stray}; placeholders are written {{Name}}.`,
      literal,
    );
  }
  if (literal.length > 0) parts.push({ literal });
}

function checkNames(field: string, names: readonly string[]): readonly string[] {
  if (!Array.isArray(names)) throw new InvalidOptionError(field, `must be a list of placeholder names, got ${describeValue(names)}.`, names);
  for (const placeholder of names) {
    if (typeof placeholder !== 'string' || !NAME.test(placeholder)) {
      throw new InvalidOptionError(field, `${describeValue(placeholder)} is not a valid placeholder name (letters, digits and underscores, starting with a letter).`, placeholder);
    }
  }
  return names;
}

function listNames(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.map((placeholder) => `{{${placeholder}}}`).join(', ');
}
