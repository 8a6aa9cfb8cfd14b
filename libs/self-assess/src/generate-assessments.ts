import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError, type Logger, ModelMismatchError, type ProgressCallback, silentLogger, checkMethods, checkObject, integerOption, stringOption } from '@score/core';
import type { AssessmentPair, AssessmentRecord, Assessor } from './assessment';
import { readAssessmentFile } from './assessment-file';

/** Options of {@link generateAssessments}. */
export interface GenerateAssessmentsOptions {
  /** The pairs to assess (ids must be unique). */
  readonly pairs: readonly AssessmentPair[];
  /** Who writes the assessments (an LLM or the metadata fallback). */
  readonly assessor: Assessor;
  /** The JSON-lines file the assessments are appended to; pairs already in it are skipped. */
  readonly outFile: string;
  /**
   * Assessments in flight at once.
   * @defaultValue 4
   */
  readonly concurrency?: number;
  /**
   * Receives events of task "assess" (unit "pairs") with `generated`, `reused`, `promptTokens`,
   * `completionTokens`, `pairsPerSecond` and `etaSeconds` metrics.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /** @defaultValue a silent logger */
  readonly logger?: Logger;
  /**
   * Stops the run: no new pair starts, calls in flight are cancelled, and the call rejects with
   * the signal's reason. Finished assessments stay in the file.
   */
  readonly signal?: AbortSignal;
}

/** What {@link generateAssessments} returns. */
export interface GenerateAssessmentsResult {
  /** One record per pair, in the pairs' order. */
  readonly records: readonly AssessmentRecord[];
  /** The assessor's source ("metadata" or "llm:<modelId>"). */
  readonly source: AssessmentRecord['source'];
  /** Pairs assessed by this call. */
  readonly generated: number;
  /** Pairs found in the file and skipped. */
  readonly reused: number;
  /** Tokens of this call's assessments (0 for the metadata assessor). */
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly seconds: number;
}

/**
 * Assesses every pair not yet in `outFile`, `concurrency` at a time, appending each finished
 * assessment as one JSON line (fsync'd before the next progress event), so the run can be killed
 * and rerun without repeating a finished call. A last line cut short by a kill is dropped (and the
 * file truncated to its last complete line) before appending.
 *
 * @throws ModelMismatchError when the file holds assessments from another source (delete it or
 *   choose another `outFile`); the assessor's error when a call fails (after the calls in flight
 *   settle; their results are kept); the signal's reason when aborted.
 */
export async function generateAssessments(options: GenerateAssessmentsOptions): Promise<GenerateAssessmentsResult> {
  checkObject('options', options);
  if (!Array.isArray(options.pairs)) throw new InvalidOptionError('pairs', 'must be an array of assessment pairs.', options.pairs);
  checkMethods('assessor', options.assessor, ['assess'], 'an Assessor');
  const outFile = stringOption('outFile', options.outFile);
  const concurrency = integerOption('concurrency', options.concurrency, 4, 1);
  const { pairs, assessor, onProgress, signal } = options;
  const logger = options.logger ?? silentLogger;
  const ids = new Set<string>();
  for (const pair of pairs) {
    if (ids.has(pair.id)) throw new InvalidOptionError('pairs', `the pair id ${JSON.stringify(pair.id)} appears twice; each pair may be assessed once.`, pair.id);
    ids.add(pair.id);
  }
  signal?.throwIfAborted();

  const started = performance.now();
  await fs.promises.mkdir(path.dirname(path.resolve(outFile)), { recursive: true });
  const existing = await readAssessmentFile(outFile);
  for (const record of existing.records.values()) {
    if (record.source !== assessor.source) {
      throw new ModelMismatchError(
        `holds assessments written by ${JSON.stringify(record.source)} (pair ${record.id}), but this run uses ${JSON.stringify(assessor.source)}; delete the file or choose another output file to assess with a different assessor.`,
        { path: outFile, expected: assessor.source, actual: record.source },
      );
    }
  }
  if (existing.truncatedTail) {
    logger.warn('Dropping an unfinished last line of the assessments file (a write was cut short).', { path: outFile, keptBytes: existing.completeBytes });
    await fs.promises.truncate(outFile, existing.completeBytes);
  }

  const results = new Map<string, AssessmentRecord>();
  for (const pair of pairs) {
    const found = existing.records.get(pair.id);
    if (found) results.set(pair.id, found);
  }
  const reused = results.size;
  const pending = pairs.filter((pair) => !results.has(pair.id));
  let generated = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  const report = (finished = false) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = generated / Math.max(seconds, 1e-9);
    const remaining = pending.length - generated;
    onProgress?.({
      task: 'assess',
      done: reused + generated,
      total: pairs.length,
      unit: 'pairs',
      finished: finished || undefined,
      metrics: {
        generated,
        reused,
        promptTokens,
        completionTokens,
        pairsPerSecond: rate,
        etaSeconds: remaining === 0 ? 0 : generated === 0 ? Number.NaN : remaining / rate,
      },
    });
  };
  report();

  const handle = await fs.promises.open(outFile, 'a');
  let writing: Promise<void> = Promise.resolve();
  const append = (line: string): Promise<void> => {
    writing = writing.then(async () => {
      await handle.write(line);
      await handle.datasync();
    });
    return writing;
  };
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < pending.length) {
      if (signal?.aborted) {
        failure = { error: signal.reason };
        return;
      }
      const pair = pending[next++];
      try {
        const assessment = await assessor.assess(pair, { signal });
        const record: AssessmentRecord = {
          id: pair.id,
          userId: pair.userId,
          itemId: pair.itemId,
          timestamp: pair.timestamp,
          rowIndex: pair.rowIndex,
          source: assessment.source,
          text: assessment.text,
          ...(assessment.usage ? { usage: assessment.usage } : {}),
        };
        await append(`${JSON.stringify(record)}\n`);
        results.set(pair.id, record);
        generated += 1;
        promptTokens += assessment.usage?.promptTokens ?? 0;
        completionTokens += assessment.usage?.completionTokens ?? 0;
        report();
      } catch (error) {
        failure ??= { error: signal?.aborted ? signal.reason : error };
        return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(pending.length, 1)) }, worker));
    await writing;
  } finally {
    await handle.close();
  }
  if (failure !== undefined) {
    logger.warn('Self-assessment stopped before every pair was assessed; rerun to continue.', { done: results.size, total: pairs.length });
    throw failure.error;
  }
  report(true);
  return {
    records: pairs.map((pair) => results.get(pair.id)!),
    source: assessor.source,
    generated,
    reused,
    promptTokens,
    completionTokens,
    seconds: (performance.now() - started) / 1000,
  };
}
