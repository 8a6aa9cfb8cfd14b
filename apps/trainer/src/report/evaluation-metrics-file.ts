import fs from 'node:fs';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError, writeFileAtomic } from '@score/core';
import { issuesToProblems } from '../config/config-error';
import type { EvaluationMetrics } from './evaluation-metrics';
import { evaluationMetricsSchema } from './evaluation-metrics-schema';

/** The first problem of a value against the metrics schema (`field` is "" for the whole value), or undefined when it is valid. */
function firstProblem(value: unknown): { field: string; message: string; others: number } | undefined {
  const result = evaluationMetricsSchema.safeParse(value, { reportInput: true });
  if (result.success) return undefined;
  const problems = issuesToProblems(result.error.issues);
  const first = problems[0] ?? { path: '', message: 'is invalid' };
  return { field: first.path, message: first.message, others: problems.length - 1 };
}

/**
 * Checks a value against the metrics.json schema and returns it typed.
 * @param value - The value to check.
 * @param fieldPrefix - Prefix of the field named in the error. @defaultValue "metrics"
 * @throws InvalidOptionError naming the first bad field (dotted path, e.g. "models.0.auc").
 */
export function validateEvaluationMetrics(value: unknown, fieldPrefix = 'metrics'): EvaluationMetrics {
  const problem = firstProblem(value);
  if (problem === undefined) return value as EvaluationMetrics;
  const more = problem.others > 0 ? ` (${problem.others} more problem${problem.others === 1 ? '' : 's'})` : '';
  throw new InvalidOptionError(problem.field === '' ? fieldPrefix : `${fieldPrefix}.${problem.field}`, `${problem.message}${more}.`);
}

/**
 * Reads and validates a metrics.json.
 * @throws ArtifactNotFoundError when the file does not exist; DataFormatError naming the file and
 * the first bad field when it is not JSON or does not match {@link EvaluationMetrics}.
 */
export async function readEvaluationMetrics(file: string): Promise<EvaluationMetrics> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(file, 'Evaluation metrics', 'eval');
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(`the file is not valid JSON (${(error as Error).message}); expected the metrics.json written by "score-train eval".`, { path: file, cause: error });
  }
  const problem = firstProblem(value);
  if (problem !== undefined) {
    const more = problem.others > 0 ? ` ${problem.others} more problem${problem.others === 1 ? '' : 's'} follow.` : '';
    throw new DataFormatError(`${problem.message}; the file does not match the metrics.json layout.${more}`, { path: file, ...(problem.field === '' ? {} : { field: problem.field }) });
  }
  return value as EvaluationMetrics;
}

/**
 * Validates metrics and writes them as pretty JSON, atomically (temporary file, then rename).
 * @throws InvalidOptionError naming the first bad field, before anything is written.
 */
export async function writeEvaluationMetrics(file: string, metrics: EvaluationMetrics): Promise<void> {
  validateEvaluationMetrics(metrics);
  await writeFileAtomic(file, `${JSON.stringify(metrics, null, 2)}\n`);
}
