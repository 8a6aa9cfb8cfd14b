import { InvalidOptionError } from '@score/core';
import type { z } from 'zod';

/** One problem of a config: the dotted key path and what is wrong with it. */
export interface ConfigProblem {
  /** Dotted key path, e.g. "crm.hiden_size"; empty for the top level. */
  readonly path: string;
  /** What is wrong and what would be valid. */
  readonly message: string;
}

/**
 * A config that does not validate. `field` is the path of the first problem; `problems` lists
 * every one (each with its key path), and the message names them all and where each came from.
 */
export class ConfigValidationError extends InvalidOptionError {
  /** Every problem found, in schema order. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const [first, ...rest] = problems;
    const more = rest.length > 0 ? ` Also: ${rest.map((problem) => `${problem.path || '(top level)'}: ${problem.message}`).join('; ')}.` : '';
    super(first?.path || '(top level)', `${first?.message ?? 'the config is invalid'}.${more}`);
    this.problems = problems;
  }
}

/** A value as shown in a message: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type Issue = z.core.$ZodIssue & { input?: unknown };

function joinPath(base: readonly PropertyKey[], extra: readonly PropertyKey[] = []): string {
  return [...base, ...extra].map(String).join('.');
}

function describeBound(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  if (issue.origin === 'array') return `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} entries`;
  if (issue.origin === 'string') return `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} characters`;
  const relation = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `must be ${relation} ${String(bound)}`;
}

/** Turns zod issues (parsed with `reportInput: true`) into problems with full key paths. */
export function issuesToProblems(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const got = `got ${showValue(issue.input)}`;
    switch (issue.code) {
      case 'unrecognized_keys':
        problems.push({ path: issue.keys.map((key) => joinPath(prefix, [...issue.path, key])).join(', '), message: issue.message });
        break;
      case 'invalid_type':
        problems.push({
          path: joinPath(prefix, issue.path),
          message: issue.input === undefined ? `is required (expected ${issue.expected})` : `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, ${got}`,
        });
        break;
      case 'invalid_value':
        problems.push({ path: joinPath(prefix, issue.path), message: `must be one of ${issue.values.map((value) => showValue(value)).join(', ')}; ${got}` });
        break;
      case 'too_small':
      case 'too_big':
        problems.push({ path: joinPath(prefix, issue.path), message: `${describeBound(issue)}; ${got}` });
        break;
      case 'invalid_union': {
        if ('discriminator' in issue && typeof issue.discriminator === 'string') {
          const input = issue.input as Record<string, unknown> | undefined;
          const discriminatorPath = issue.path[issue.path.length - 1] === issue.discriminator ? issue.path : [...issue.path, issue.discriminator];
          problems.push({ path: joinPath(prefix, discriminatorPath), message: `${issue.message}; got ${showValue(input?.[issue.discriminator])}` });
          break;
        }
        // Report the one alternative that matched the value's type (an object for an object), if any.
        const candidates = issue.errors.filter((option) => !option.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0) && !option.some((inner) => inner.code === 'invalid_value' && inner.path.length === 0));
        if (candidates.length === 1) problems.push(...issuesToProblems(candidates[0] as Issue[], [...prefix, ...issue.path]));
        else problems.push({ path: joinPath(prefix, issue.path), message: `${issue.message}; ${got}` });
        break;
      }
      default:
        problems.push({ path: joinPath(prefix, issue.path), message: `${issue.message}; ${got}` });
    }
  }
  return problems;
}
