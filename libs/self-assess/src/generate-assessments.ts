import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError, type Logger, ModelMismatchError, type ProgressCallback, silentLogger, checkMethods, checkObject, integerOption, stringOption } from '@score/core';
import type { AssessmentPair, AssessmentRecord, Assessor } from './assessment';
import { readAssessmentFile } from './assessment-file';
import { UnusableAssessmentError } from './llm-assessor';

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
  /**
   * Largest share of the pairs (0 to 1) that may be dropped because the model answered them with
   * no usable assessment on every try (`UnusableAssessmentError`, e.g. a small LLM that retells the
   * prompt): such a pair gets no record and is listed in `unusable`; one more than
   * `floor(maxUnusable * pairs)` fails the run with that error. Other errors always fail it.
   * @defaultValue 0.05
   */
  readonly maxUnusable?: number;
}

/** A pair dropped because its assessment was unusable. */
export interface UnusableAssessment {
  readonly id: string;
  /** The error's message (what the model answered, per try). */
  readonly reason: string;
}

/** What {@link generateAssessments} returns. */
export interface GenerateAssessmentsResult {
  /** One record per assessed pair, in the pairs' order (pairs in `unusable` have none). */
  readonly records: readonly AssessmentRecord[];
  /** Pairs dropped because the model gave no usable assessment (at most `maxUnusable` of them). */
  readonly unusable: readonly UnusableAssessment[];
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
  const maxUnusable = options.maxUnusable ?? 0.05;
  if (typeof maxUnusable !== 'number' || !(maxUnusable >= 0 && maxUnusable <= 1)) throw new InvalidOptionError('maxUnusable', `must be a share between 0 and 1, got ${String(maxUnusable)}.`, maxUnusable);
  const { pairs, assessor, signal } = options;
  const logger = options.logger ?? silentLogger;
  const ids = new Set<string>();
  for (const pair of pairs) {
    if (ids.has(pair.id)) throw new InvalidOptionError('pairs', `the pair id ${JSON.stringify(pair.id)} appears twice; each pair may be assessed once.`, pair.id);
    ids.add(pair.id);
  }
  signal?.throwIfAborted();

  const started = performance.now();
  const existing = await readOwnAssessments(outFile, assessor, logger);
  const results = new Map<string, AssessmentRecord>();
  for (const pair of pairs) {
    const found = existing.get(pair.id);
    if (found) results.set(pair.id, found);
  }
  const pending = pairs.filter((pair) => !results.has(pair.id));
  const progress = new AssessProgress(started, results.size, pending.length, pairs.length, options.onProgress);
  progress.report();
  const unusable: UnusableAssessment[] = [];
  const allowed = Math.floor(maxUnusable * pairs.length);
  const onUnusable = (error: UnusableAssessmentError): boolean => {
    if (unusable.length >= allowed) return false;
    unusable.push({ id: error.pairId, reason: error.message });
    logger.warn(`Dropping pair ${error.pairId}: the model gave no usable assessment (${unusable.length} of at most ${allowed} dropped).`, { pair: error.pairId, reason: error.message });
    return true;
  };
  const failure = await assessPending(pending, { assessor, concurrency, signal, outFile, onUnusable }, (record, usage) => {
    results.set(record.id, record);
    progress.add(usage);
  });
  if (failure !== undefined) {
    logger.warn('Self-assessment stopped before every pair was assessed; rerun to continue.', { done: results.size, total: pairs.length });
    if (failure.error instanceof UnusableAssessmentError) {
      const share = `${unusable.length + 1} pairs of ${pairs.length} had no usable assessment, more than maxUnusable ${maxUnusable} allows (${allowed})`;
      throw new UnusableAssessmentError(`${failure.error.message.replace(/\.$/, '')}; ${share}. Raise maxUnusable (assess.maxUnusable), allow longer answers, or use a larger model.`, failure.error.pairId, { provider: failure.error.provider, ...(failure.error.modelId === undefined ? {} : { modelId: failure.error.modelId }) });
    }
    throw failure.error;
  }
  progress.report(true);
  const dropped = new Set(unusable.map((entry) => entry.id));
  return {
    records: pairs.filter((pair) => !dropped.has(pair.id)).map((pair) => results.get(pair.id)!),
    unusable,
    source: assessor.source,
    generated: progress.generated,
    reused: progress.reused,
    promptTokens: progress.promptTokens,
    completionTokens: progress.completionTokens,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The assessments already in `outFile` (creating its folder), checked to come from `assessor`'s
 * source; an unfinished last line is dropped and the file truncated to its last complete line.
 */
async function readOwnAssessments(outFile: string, assessor: Assessor, logger: Logger): Promise<ReadonlyMap<string, AssessmentRecord>> {
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
  return existing.records;
}

/** Counts of a {@link generateAssessments} run and its "assess" progress events. */
class AssessProgress {
  generated = 0;
  promptTokens = 0;
  completionTokens = 0;

  constructor(
    private readonly started: number,
    readonly reused: number,
    private readonly pending: number,
    private readonly total: number,
    private readonly onProgress: ProgressCallback | undefined,
  ) {}

  /** Counts one finished assessment and reports progress. */
  add(usage: AssessmentRecord['usage']): void {
    this.generated += 1;
    this.promptTokens += usage?.promptTokens ?? 0;
    this.completionTokens += usage?.completionTokens ?? 0;
    this.report();
  }

  report(finished = false): void {
    const { generated, reused } = this;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = generated / Math.max(seconds, 1e-9);
    const remaining = this.pending - generated;
    this.onProgress?.({
      task: 'assess',
      done: reused + generated,
      total: this.total,
      unit: 'pairs',
      finished: finished || undefined,
      metrics: {
        generated,
        reused,
        promptTokens: this.promptTokens,
        completionTokens: this.completionTokens,
        pairsPerSecond: rate,
        etaSeconds: remaining === 0 ? 0 : generated === 0 ? Number.NaN : remaining / rate,
      },
    });
  }
}

/** How {@link assessPending} runs. */
interface AssessRun {
  readonly assessor: Assessor;
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  readonly outFile: string;
  /** Called with a pair's unusable-assessment error: true drops the pair and goes on, false fails the run. */
  readonly onUnusable: (error: UnusableAssessmentError) => boolean;
}

/**
 * Assesses `pending`, `concurrency` at a time, appending each record to `outFile` as one fsync'd
 * JSON line before `onRecord` sees it. Stops starting pairs at the first failure or abort and
 * returns it (after the calls in flight settle); undefined when every pair was assessed.
 */
async function assessPending(
  pending: readonly AssessmentPair[],
  { assessor, concurrency, signal, outFile, onUnusable }: AssessRun,
  onRecord: (record: AssessmentRecord, usage: AssessmentRecord['usage']) => void,
): Promise<{ error: unknown } | undefined> {
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
        onRecord(record, assessment.usage);
      } catch (error) {
        if (!signal?.aborted && error instanceof UnusableAssessmentError && onUnusable(error)) continue;
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
  return failure;
}
