/**
 * The brand on every {@link ScoreError}: `Symbol.for` so that every copy of `@score/core` uses the
 * same key. Its value is the list of the error's class names (own class first, `ScoreError` last).
 */
const SCORE_ERROR_BRAND: unique symbol = Symbol.for('@score/core/ScoreError');

/**
 * The one error base class of @score. Every error thrown on purpose by a @score package is a
 * `ScoreError`; subclasses carry the fields a caller needs, and messages are full sentences
 * naming the bad value and what would be valid.
 */
export class ScoreError extends Error {
  /** Stable machine-readable code, e.g. "DATA_FORMAT". */
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'SCORE_ERROR';
    // The brand: the names of the error's classes, from its own up to ScoreError. Non-enumerable,
    // so it stays out of JSON and of test snapshots.
    const classes: string[] = [];
    for (let type: unknown = new.target; typeof type === 'function' && type !== Error; type = Object.getPrototypeOf(type)) {
      classes.push((type as { name: string }).name);
    }
    Object.defineProperty(this, SCORE_ERROR_BRAND, { value: Object.freeze(classes), enumerable: false });
  }

  /**
   * Whether `value` is an error of this class (or of a subclass), also when it was thrown by
   * another copy of `@score/core` (two installed versions, a bundled copy, a second module
   * evaluation), where `instanceof` answers false. Every `ScoreError` carries a
   * `Symbol.for('@score/core/ScoreError')` brand listing its class names; this checks that the
   * brand exists and names the class it is called on, so `ScoreError.isInstance(e)` accepts every
   * @score error and `InvalidOptionError.isInstance(e)` only invalid-option errors (and their
   * subclasses). Classes are told apart by name, so two different classes with the same name
   * (in different packages) are not told apart.
   *
   * @example
   * ```ts
   * try { loadConfig(path); } catch (error) {
   *   if (InvalidOptionError.isInstance(error)) console.error(error.field);
   * }
   * ```
   */
  static isInstance<T>(this: { readonly prototype: T; readonly name: string }, value: unknown): value is T {
    if (value === null || typeof value !== 'object') return false;
    const classes: unknown = (value as { [SCORE_ERROR_BRAND]?: unknown })[SCORE_ERROR_BRAND];
    return Array.isArray(classes) && classes.includes(this.name);
  }
}

/** A malformed record in an input file. */
export class DataFormatError extends ScoreError {
  readonly path: string;
  /** 1-based line number, when the file is line-oriented. */
  readonly line?: number;
  /** 1-based column (field position) when known. */
  readonly column?: number;
  /** Name of the offending field when known. */
  readonly field?: string;

  constructor(
    message: string,
    details: { path: string; line?: number; column?: number; field?: string; cause?: unknown },
  ) {
    const where = [details.path, details.line === undefined ? undefined : `line ${details.line}`, details.field === undefined ? undefined : `field "${details.field}"`]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`${where}: ${message}`, { code: 'DATA_FORMAT', cause: details.cause });
    this.path = details.path;
    this.line = details.line;
    this.column = details.column;
    this.field = details.field;
  }
}

/** An option, config key or request field with an invalid value. */
export class InvalidOptionError extends ScoreError {
  /** Dotted path of the field, e.g. "crm.hiddenSize". */
  readonly field: string;
  readonly value?: unknown;

  constructor(field: string, message: string, value?: unknown) {
    super(`Invalid "${field}": ${message}`, { code: 'INVALID_OPTION' });
    this.field = field;
    this.value = value;
  }
}

/** Ids that are referenced but unknown (items missing from the items file, unknown users). */
export class UnknownIdError extends ScoreError {
  readonly kind: 'user' | 'item';
  /** A few of the unknown ids. */
  readonly ids: readonly string[];
  /** How many unknown ids there are in all. */
  readonly count: number;

  constructor(kind: 'user' | 'item', ids: readonly string[], count: number = ids.length, context = '') {
    const shown = ids.slice(0, 5).map((id) => JSON.stringify(id)).join(', ');
    super(`${count} unknown ${kind} id${count === 1 ? '' : 's'}${context ? ` ${context}` : ''}: ${shown}${count > 5 ? ', ...' : ''}.`, {
      code: 'UNKNOWN_ID',
    });
    this.kind = kind;
    this.ids = ids.slice(0, 20);
    this.count = count;
  }
}

/** A split (train, valid or test) without rows after the protocol was applied. */
export class EmptySplitError extends ScoreError {
  readonly split: string;

  constructor(split: string, hint = '') {
    super(`The ${split} split is empty after the protocol was applied.${hint ? ` ${hint}` : ''}`, { code: 'EMPTY_SPLIT' });
    this.split = split;
  }
}

/** A file or artifact a step needs is missing (a run folder without a prepared dataset, ...). */
export class ArtifactNotFoundError extends ScoreError {
  readonly path: string;
  /** The stage that produces the artifact, when there is one. */
  readonly producedBy?: string;

  constructor(path: string, what: string, producedBy?: string) {
    super(`${what} not found at ${path}.${producedBy ? ` Run the "${producedBy}" stage first.` : ''}`, { code: 'ARTIFACT_NOT_FOUND' });
    this.path = path;
    this.producedBy = producedBy;
  }
}

/** A checkpoint or model file that does not match the requested model or its own config. */
export class ModelMismatchError extends ScoreError {
  readonly path?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;

  constructor(message: string, details: { path?: string; expected?: unknown; actual?: unknown } = {}) {
    super(details.path ? `${details.path}: ${message}` : message, { code: 'MODEL_MISMATCH' });
    this.path = details.path;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/** A vector or matrix whose dimension does not match what it is used with. */
export class DimensionMismatchError extends ScoreError {
  readonly expected: number;
  readonly actual: number;

  constructor(what: string, expected: number, actual: number) {
    super(`${what} has dimension ${actual}, but ${expected} is required.`, { code: 'DIMENSION_MISMATCH' });
    this.expected = expected;
    this.actual = actual;
  }
}

/** A language-model backend failed (HTTP status, missing log-probabilities, bad model file). */
export class LanguageModelError extends ScoreError {
  readonly provider: string;
  readonly modelId?: string;
  /** HTTP status when the failure came from a server. */
  readonly status?: number;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { provider: string; modelId?: string; status?: number; retryable?: boolean; cause?: unknown },
  ) {
    super(`[${details.provider}${details.modelId ? ` ${details.modelId}` : ''}] ${message}`, { code: 'LANGUAGE_MODEL', cause: details.cause });
    this.provider = details.provider;
    this.modelId = details.modelId;
    this.status = details.status;
    this.retryable = details.retryable ?? false;
  }
}

/** A runtime (tfjs backend, onnxruntime, llama.cpp binding) that could not be loaded. */
export class BackendUnavailableError extends ScoreError {
  /** Each backend tried and why it failed. */
  readonly attempts: readonly { readonly backend: string; readonly reason: string }[];

  constructor(what: string, attempts: readonly { backend: string; reason: string }[]) {
    super(`No ${what} backend could be loaded. ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`, { code: 'BACKEND_UNAVAILABLE' });
    this.attempts = attempts;
  }
}
