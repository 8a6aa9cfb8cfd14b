import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, ScoreError } from '@score/core';

/** Name of a run folder's manifest, as `score-train` writes it. */
export const RUN_MANIFEST_FILE = 'manifest.json';

/**
 * What freshness reads of one finished stage in a run manifest: the hash of its output and the
 * output hashes of the upstream stages it read when it ran (`inputs.upstream`).
 */
export interface StageFreshnessRecord {
  /** sha256 of the stage's artifact list. */
  readonly outputHash?: string;
  /** What the stage ran on; `upstream` maps each upstream stage to its output hash at the time. */
  readonly inputs?: { readonly upstream?: Readonly<Record<string, string>> };
}

/** A finished stage that no longer matches its inputs. */
export interface StaleStage {
  /** The stale stage. */
  readonly stage: string;
  /** The upstream stage that changed, is missing, or is stale itself. */
  readonly input: string;
  /** Why, in words ("its input \"prepare\" changed after it ran"). */
  readonly reason: string;
}

/** What {@link checkRunFreshness} finds. */
export interface RunFreshness {
  /** Whether the folder has a manifest (a bare dataset folder has none, and nothing to check). */
  readonly manifest: boolean;
  /** True when no finished stage is stale. */
  readonly fresh: boolean;
  /** The stale stages, in manifest order. */
  readonly stale: readonly StaleStage[];
}

/**
 * The finished stages (manifest order) whose recorded inputs no longer match the run: an upstream
 * stage whose output hash differs from the one the stage ran on (it was redone with other output,
 * e.g. `prepare --out` on a finished run), an upstream stage without a record, or an upstream
 * stage that is stale itself.
 */
export function findStaleStages(stages: Readonly<Record<string, StageFreshnessRecord | undefined>>): StaleStage[] {
  const verdicts = new Map<string, StaleStage | null>();
  const visiting = new Set<string>();
  const verdict = (name: string): StaleStage | null => {
    const known = verdicts.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return null; // A cycle is no staleness of ours to report.
    visiting.add(name);
    let found: StaleStage | null = null;
    const upstream = stages[name]?.inputs?.upstream ?? {};
    for (const [input, hash] of Object.entries(upstream)) {
      const record = stages[input];
      if (!record) found = { stage: name, input, reason: `its input "${input}" has not finished (no record in the manifest)` };
      else if (record.outputHash !== hash) found = { stage: name, input, reason: `its input "${input}" changed after it ran` };
      else if (verdict(input)) found = { stage: name, input, reason: `its input "${input}" is stale` };
      if (found) break;
    }
    visiting.delete(name);
    verdicts.set(name, found);
    return found;
  };
  return Object.keys(stages)
    .map(verdict)
    .filter((entry): entry is StaleStage => entry !== null);
}

/**
 * Reads `<runDir>/manifest.json` and reports the finished stages that no longer match their
 * inputs (see {@link findStaleStages}). A folder without a manifest reports `manifest: false`.
 * @throws DataFormatError when the manifest is not valid JSON.
 */
export async function checkRunFreshness(runDir: string): Promise<RunFreshness> {
  const file = path.join(runDir, RUN_MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { manifest: false, fresh: true, stale: [] };
    throw error;
  }
  let manifest: { stages?: unknown };
  try {
    manifest = JSON.parse(text) as { stages?: unknown };
  } catch (cause) {
    throw new DataFormatError('the run manifest is not valid JSON.', { path: file, cause });
  }
  const stages = manifest !== null && typeof manifest === 'object' && manifest.stages !== null && typeof manifest.stages === 'object' ? (manifest.stages as Record<string, StageFreshnessRecord>) : {};
  const stale = findStaleStages(stages);
  return { manifest: true, fresh: stale.length === 0, stale };
}

/** A run folder whose finished stages no longer match their inputs. */
export class StaleRunError extends ScoreError {
  /** The run folder. */
  readonly runDir: string;
  /** The stale stages. */
  readonly stale: readonly StaleStage[];

  constructor(runDir: string, stale: readonly StaleStage[]) {
    const [first] = stale;
    const names = stale.map((entry, index) => (index === 0 ? `"${entry.stage}" (${entry.reason})` : `"${entry.stage}"`)).join(', ');
    super(
      `The run ${runDir} is stale: stage ${names} no longer match${stale.length === 1 ? 'es its inputs' : ' their inputs'}; redo ${stale.length === 1 ? 'it' : 'them'} with \`score-train run\` on this run's config (or each with \`score-train <stage> --run ${runDir}\`, from "${first?.stage}" on).`,
      { code: 'RUN_STALE' },
    );
    this.runDir = runDir;
    this.stale = stale;
  }
}

/**
 * Refuses a run folder with stale stages ({@link checkRunFreshness}); what a server calls before
 * loading a run, so that it never serves a model built on another dataset than the one it loads.
 * @throws StaleRunError naming the stale stages and the command that redoes them.
 */
export async function assertRunFresh(runDir: string): Promise<void> {
  const freshness = await checkRunFreshness(runDir);
  if (!freshness.fresh) throw new StaleRunError(runDir, freshness.stale);
}
