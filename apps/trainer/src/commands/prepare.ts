import path from 'node:path';
import { checkInteger, type DatasetStatistics, InvalidOptionError } from '@score/core';
import { computeStatistics, formatStatistics, loadDataset } from '@score/data';
import { DOMAIN_PRESETS } from '@score/prompt-kit';
import { type Command, Option } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { ConfigValidationError } from '../config/config-error';
import { loadConfig } from '../config/load-config';
import { readManifest } from '../pipeline/manifest';
import { checkRunFolder } from '../pipeline/run-folder-check';
import type { ScoreConfig, ScoreConfigInput } from '../config/config-schema';
import { runPipeline } from '../pipeline/run-pipeline';
import type { StageRegistry } from '../pipeline/stage-registry';
import { flagValue, nonNegativeInteger, positiveInteger } from '../cli/flag-parsers';

/** The config's `data` section (config-schema.ts), whose values the protocol and dataset flags take. */
type DataConfig = ScoreConfig['data'];
type GenericSourceConfig = Extract<DataConfig['source'], { kind: 'generic' }>;
type MonthsProtocolConfig = Extract<DataConfig['protocol'], { kind: 'months' }>;

/**
 * Flags of `score-train prepare`: one data source, then the values of the config's `data` keys
 * (`--format` and `--timestamp-unit` of the generic source, the protocol's, the dataset's name,
 * domain and missing-items rule).
 */
export interface PrepareFlags
  extends Readonly<Partial<Pick<GenericSourceConfig, 'format' | 'timestampUnit'>>>,
    Readonly<Partial<Pick<MonthsProtocolConfig, 'threshold' | 'inclusive' | 'lastMonths' | 'trainMonths' | 'validMonths' | 'testMonths'>>>,
    Readonly<Partial<Pick<DataConfig, 'name' | 'domain' | 'missingItems'>>> {
  readonly out: string;
  readonly synthetic?: boolean;
  readonly seed?: number;
  readonly users?: number;
  /** Synthetic: number of items; otherwise the generic items file (same as `--items-file`). */
  readonly items?: string;
  readonly ml1m?: string;
  readonly ml100k?: string;
  readonly amazonReviews?: string;
  readonly amazonMeta?: string;
  readonly interactions?: string;
  readonly itemsFile?: string;
  readonly protocol?: DataConfig['protocol']['kind'];
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** What `prepare` reports (printed as a table, or as JSON with `--json`). */
export interface PrepareReport {
  readonly runDir: string;
  /** Folder that `loadDataset` reads (`<run>/prepare`). */
  readonly datasetDir: string;
  readonly name: string;
  readonly domain: string;
  readonly statistics: DatasetStatistics;
  /** False when an identical prepared dataset was already there (nothing was redone). */
  readonly ran: boolean;
}

/** `--items` with `--synthetic`: the number of items, a positive integer ({@link checkInteger}). */
function syntheticItemCount(value: string): number {
  return checkInteger('--items', flagValue(value), 1);
}

/** Maps the flags to the `data` section of a run config; exactly one source must be named. */
export function dataConfigFromFlags(flags: PrepareFlags): NonNullable<ScoreConfigInput['data']> {
  const itemsFile = flags.itemsFile ?? (flags.synthetic ? undefined : flags.items);
  const chosen = [
    flags.synthetic && '--synthetic',
    flags.ml1m && '--ml-1m',
    flags.ml100k && '--ml-100k',
    (flags.amazonReviews || flags.amazonMeta) && '--amazon-reviews/--amazon-meta',
    (flags.interactions || itemsFile) && '--interactions/--items',
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new InvalidOptionError(
      'source',
      chosen.length === 0
        ? 'choose one data source: --synthetic, --ml-1m DIR, --ml-100k DIR, --amazon-reviews FILE --amazon-meta FILE, or --interactions FILE --items FILE.'
        : `choose only one data source, got ${chosen.join(' and ')}.`,
    );
  }
  let source: NonNullable<ScoreConfigInput['data']>['source'];
  if (flags.synthetic) source = { kind: 'synthetic', seed: flags.seed, users: flags.users, items: flags.items === undefined ? undefined : syntheticItemCount(flags.items) };
  else if (flags.ml1m) source = { kind: 'ml-1m', dir: path.resolve(flags.ml1m) };
  else if (flags.ml100k) source = { kind: 'ml-100k', dir: path.resolve(flags.ml100k) };
  else if (flags.amazonReviews || flags.amazonMeta) {
    if (!flags.amazonReviews || !flags.amazonMeta) throw new InvalidOptionError('--amazon-reviews', 'Amazon data needs both --amazon-reviews FILE and --amazon-meta FILE.');
    source = { kind: 'amazon', reviews: path.resolve(flags.amazonReviews), meta: path.resolve(flags.amazonMeta) };
  } else {
    if (!flags.interactions || !itemsFile) throw new InvalidOptionError('--interactions', 'the generic form needs both --interactions FILE and --items FILE.');
    source = { kind: 'generic', interactions: path.resolve(flags.interactions), items: path.resolve(itemsFile), format: flags.format, timestampUnit: flags.timestampUnit };
  }
  const kind = flags.protocol ?? 'auto';
  let protocol: NonNullable<ScoreConfigInput['data']>['protocol'];
  if (kind === 'months') {
    if (flags.trainMonths === undefined) throw new InvalidOptionError('--train-months', 'is required with --protocol months.');
    protocol = { kind, threshold: flags.threshold, inclusive: flags.inclusive, lastMonths: flags.lastMonths, trainMonths: flags.trainMonths, validMonths: flags.validMonths, testMonths: flags.testMonths };
  } else if (kind === 'given-split' || kind === 'auto') {
    protocol = { kind, threshold: flags.threshold, inclusive: flags.inclusive };
  } else {
    protocol = { kind };
  }
  return { source, protocol, name: flags.name, domain: flags.domain, missingItems: flags.missingItems };
}

/** Drops `undefined` values so config defaults apply. */
function compact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Runs `prepare`: maps the flags to a run config and runs the pipeline's prepare stage into
 * `<out>/prepare` (with `<out>/manifest.json`), then reports the statistics.
 */
export async function runPrepare(flags: PrepareFlags, context: CommandContext, registry: StageRegistry): Promise<PrepareReport> {
  const runDir = path.resolve(flags.out);
  checkRunFolder(runDir, '--out');
  const data = compact(dataConfigFromFlags(flags));
  // On an existing run, the other sections keep the run's settings (its later stages go on with them).
  const previous = await readManifest(runDir);
  let loaded: ReturnType<typeof loadConfig> | undefined;
  if (previous) {
    try {
      loaded = loadConfig({ values: { ...(previous.config as Record<string, unknown>), run: { ...previous.config.run, dir: runDir }, data } });
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      context.logger.warn(`the settings of the existing run in ${runDir} no longer validate (${error.message}); the other stages get the built-in defaults`);
    }
  }
  const { config, hash } = loaded ?? loadConfig({ values: compact({ run: { dir: runDir }, data }) });
  const pipeline = await runPipeline({
    config,
    configHash: hash,
    stages: registry.stages(),
    runDir,
    only: ['prepare'],
    logger: context.logger,
    onProgress: context.onProgress,
  });
  const datasetDir = path.join(runDir, 'prepare');
  const dataset = await loadDataset(datasetDir);
  const statistics = computeStatistics(dataset);
  const ran = pipeline.stages.some((stage) => stage.name === 'prepare' && stage.status === 'ran');
  const report: PrepareReport = { runDir, datasetDir, name: dataset.name, domain: dataset.domain, statistics, ran };
  if (context.json) context.output.write(JSON.stringify(report, null, 2) + '\n');
  else context.output.write(`Dataset "${dataset.name}" -> ${path.join(datasetDir, 'dataset')}\n\n${formatStatistics(statistics, { name: dataset.name })}\n`);
  return report;
}

/** Adds `prepare` to the program. */
export function registerPrepareCommand(program: Command, contextFor: ContextFactory, registry: StageRegistry): void {
  program
    .command('prepare')
    .description('Build a run folder from MovieLens, Amazon, generic CSV/TSV/JSONL files, or the synthetic generator, and print its statistics.')
    .requiredOption('--out <dir>', 'run folder (the dataset goes to <dir>/prepare/dataset, the manifest to <dir>/manifest.json)')
    .option('--synthetic', 'generate the synthetic dataset (the embedded default)')
    .option('--seed <n>', 'synthetic: random seed (default 42)', nonNegativeInteger('--seed'))
    .option('--users <n>', 'synthetic: number of users (default 600)', positiveInteger('--users'))
    .option('--items <n|file>', 'synthetic: number of items (default 800); generic: the items file')
    .option('--ml-1m <dir>', 'MovieLens-1M folder (ratings.dat, movies.dat); protocol ml-1m by default')
    .option('--ml-100k <dir>', 'MovieLens-100K folder (u.data, u.item)')
    .option('--amazon-reviews <file>', 'Amazon reviews JSON lines (2014/2018 field names); protocol amazon-games by default')
    .option('--amazon-meta <file>', 'Amazon metadata JSON lines')
    .option('--interactions <file>', 'generic interactions CSV/TSV/JSONL: user_id,item_id,timestamp + rating or label [+ split]')
    .option('--items-file <file>', 'generic items CSV/TSV/JSONL: item_id,title + attribute columns (multi-valued with |); same as --items FILE')
    .addOption(new Option('--format <format>', 'generic files: format (default: by extension)').choices(['csv', 'tsv', 'jsonl']))
    .addOption(new Option('--timestamp-unit <unit>', 'generic interactions: unit of the timestamp column (default seconds)').choices(['seconds', 'milliseconds']))
    .addOption(new Option('--protocol <name>', 'labelling and split protocol').choices(['auto', 'ml-1m', 'amazon-games', 'given-split', 'months']).default('auto'))
    .option('--threshold <x>', 'binarize: rating above this is positive', Number)
    .option('--inclusive', 'binarize: rating equal to the threshold is positive too')
    .option('--last-months <n>', 'months protocol: keep the last N months', positiveInteger('--last-months'))
    .option('--train-months <n>', 'months protocol: train months', positiveInteger('--train-months'))
    .option('--valid-months <n>', 'months protocol: valid months (default: halve the rest)', positiveInteger('--valid-months'))
    .option('--test-months <n>', 'months protocol: test months', positiveInteger('--test-months'))
    .option('--name <name>', 'dataset name')
    .addOption(new Option('--domain <domain>', 'domain of the prompts').choices(Object.keys(DOMAIN_PRESETS)))
    .addOption(new Option('--missing-items <mode>', 'interactions whose item is not in the items file').choices(['error', 'drop']))
    .option('--json', 'print the statistics as JSON')
    .option('--quiet', 'no progress output')
    .action(async (flags: PrepareFlags) => {
      await withCommandContext(contextFor, flags, (context) => runPrepare(flags, context, registry));
    });
}
