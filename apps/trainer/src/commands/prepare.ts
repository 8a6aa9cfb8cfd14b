import path from 'node:path';
import { type Domain, type Interaction, InvalidOptionError, type Item, type ItemId } from '@score/core';
import {
  AMAZON_GAMES_PROTOCOL,
  computeStatistics,
  type DatasetProtocol,
  formatStatistics,
  generateSyntheticDataset,
  ML1M_PROTOCOL,
  prepareDataset,
  type PreparedDataset,
  readAmazonMetadata,
  readAmazonReviews,
  readGenericInteractions,
  readGenericItems,
  readMovieLens100K,
  readMovieLens100KItems,
  readMovieLens1M,
  readMovieLens1MItems,
  saveDataset,
} from '@score/data';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../cli/command-context';
import type { ContextFactory } from '../program';
import { nonNegativeInteger, positiveInteger } from '../program';

/** Flags of `score-train prepare`. */
export interface PrepareFlags {
  readonly out: string;
  readonly synthetic?: boolean;
  readonly seed?: number;
  readonly users?: number;
  readonly items?: number;
  readonly ml1m?: string;
  readonly ml100k?: string;
  readonly amazonReviews?: string;
  readonly amazonMeta?: string;
  readonly interactions?: string;
  readonly itemsFile?: string;
  readonly protocol?: 'auto' | 'ml-1m' | 'amazon-games' | 'given-split' | 'months';
  readonly threshold?: number;
  readonly inclusive?: boolean;
  readonly lastMonths?: number;
  readonly trainMonths?: number;
  readonly validMonths?: number;
  readonly testMonths?: number;
  readonly name?: string;
  readonly domain?: Domain;
  readonly missingItems?: 'error' | 'drop';
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** What `prepare` reports (printed as a table, or as JSON with `--json`). */
export interface PrepareReport {
  readonly runDir: string;
  readonly datasetDir: string;
  readonly name: string;
  readonly domain: string;
  readonly source: string;
  readonly statistics: ReturnType<typeof computeStatistics>;
}

function chooseProtocol(flags: PrepareFlags, fallback: DatasetProtocol): DatasetProtocol {
  const kind = flags.protocol ?? 'auto';
  const binarize = flags.threshold === undefined ? undefined : { threshold: flags.threshold, inclusive: Boolean(flags.inclusive) };
  switch (kind) {
    case 'auto':
      return binarize && fallback.kind === 'months' ? { ...fallback, binarize } : fallback;
    case 'ml-1m':
      return ML1M_PROTOCOL;
    case 'amazon-games':
      return AMAZON_GAMES_PROTOCOL;
    case 'given-split':
      return { kind: 'given-split', binarize: binarize ?? { threshold: 3 } };
    case 'months': {
      if (flags.trainMonths === undefined) throw new InvalidOptionError('--train-months', 'is required with --protocol months.');
      return {
        kind: 'months',
        binarize: binarize ?? { threshold: 3 },
        lastMonths: flags.lastMonths,
        trainMonths: flags.trainMonths,
        validMonths: flags.validMonths,
        testMonths: flags.testMonths,
      };
    }
    default:
      throw new InvalidOptionError('--protocol', `"${String(kind)}" is not a protocol; use auto, ml-1m, amazon-games, given-split or months.`, kind);
  }
}

interface Source {
  readonly label: string;
  readonly name: string;
  readonly domain: Domain;
  readonly interactions: () => AsyncIterable<Interaction>;
  readonly items: () => Promise<Map<ItemId, Item>>;
  readonly protocol: DatasetProtocol;
}

/** Checks that exactly one data source was named. */
function checkOneSource(flags: PrepareFlags): void {
  const chosen = [
    flags.synthetic && '--synthetic',
    flags.ml1m && '--ml-1m',
    flags.ml100k && '--ml-100k',
    (flags.amazonReviews || flags.amazonMeta) && '--amazon-reviews/--amazon-meta',
    (flags.interactions || flags.itemsFile) && '--interactions/--items',
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new InvalidOptionError(
      'source',
      chosen.length === 0
        ? 'choose one data source: --synthetic, --ml-1m DIR, --ml-100k DIR, --amazon-reviews FILE --amazon-meta FILE, or --interactions FILE --items FILE.'
        : `choose only one data source, got ${chosen.join(' and ')}.`,
    );
  }
}

function chooseSource(flags: PrepareFlags, context: CommandContext): Source {
  const onProgress = context.onProgress;
  if (flags.ml1m) {
    const directory = flags.ml1m;
    return { label: `MovieLens-1M ${directory}`, name: flags.name ?? 'ml-1m', domain: flags.domain ?? 'movies', interactions: () => readMovieLens1M({ directory, onProgress }), items: () => readMovieLens1MItems({ directory }), protocol: ML1M_PROTOCOL };
  }
  if (flags.ml100k) {
    const directory = flags.ml100k;
    const protocol: DatasetProtocol = { kind: 'months', binarize: { threshold: 3 }, trainMonths: 5 };
    return { label: `MovieLens-100K ${directory}`, name: flags.name ?? 'ml-100k', domain: flags.domain ?? 'movies', interactions: () => readMovieLens100K({ directory, onProgress }), items: () => readMovieLens100KItems({ directory }), protocol };
  }
  if (flags.amazonReviews || flags.amazonMeta) {
    if (!flags.amazonReviews || !flags.amazonMeta) throw new InvalidOptionError('--amazon-reviews', 'Amazon data needs both --amazon-reviews FILE and --amazon-meta FILE.');
    const reviews = flags.amazonReviews;
    const meta = flags.amazonMeta;
    return { label: `Amazon ${reviews}`, name: flags.name ?? 'amazon-games', domain: flags.domain ?? 'games', interactions: () => readAmazonReviews({ path: reviews, onProgress }), items: () => readAmazonMetadata({ path: meta }), protocol: AMAZON_GAMES_PROTOCOL };
  }
  if (flags.interactions || flags.itemsFile) {
    if (!flags.interactions || !flags.itemsFile) throw new InvalidOptionError('--interactions', 'the generic form needs both --interactions FILE and --items FILE.');
    const interactions = flags.interactions;
    const items = flags.itemsFile;
    return {
      label: `generic ${interactions}`,
      name: flags.name ?? path.basename(interactions).replace(/\.[^.]+$/, ''),
      domain: flags.domain ?? 'movies',
      interactions: () => readGenericInteractions({ path: interactions, onProgress }),
      items: () => readGenericItems({ path: items }),
      // A split column, when present, is kept as given; otherwise the user names a protocol.
      protocol: { kind: 'given-split', binarize: { threshold: 3 } },
    };
  }
  throw new InvalidOptionError('source', 'no data source given.');
}

/** Runs `prepare`: reads a source, applies the protocol, saves `<out>/dataset`, reports statistics. */
export async function runPrepare(flags: PrepareFlags, context: CommandContext): Promise<PrepareReport> {
  const runDir = path.resolve(flags.out);
  let dataset: PreparedDataset;
  let source: string;
  checkOneSource(flags);
  if (flags.synthetic) {
    source = `synthetic (seed ${flags.seed ?? 42})`;
    dataset = await generateSyntheticDataset({
      seed: flags.seed,
      users: flags.users,
      items: flags.items,
      name: flags.name,
      ...(flags.protocol && flags.protocol !== 'auto' ? { protocol: chooseProtocol(flags, ML1M_PROTOCOL) } : {}),
    });
  } else {
    const chosen = chooseSource(flags, context);
    source = chosen.label;
    context.logger.info(`reading ${chosen.label}`);
    const items = await chosen.items();
    dataset = await prepareDataset({
      interactions: chosen.interactions(),
      items,
      protocol: chooseProtocol(flags, chosen.protocol),
      name: chosen.name,
      domain: chosen.domain,
      missingItems: flags.missingItems,
      onProgress: context.onProgress,
      logger: context.logger,
    });
  }
  await saveDataset(dataset, runDir);
  const datasetDir = path.join(runDir, 'dataset');
  context.logger.info(`prepared dataset written to ${datasetDir}`, { runDir });
  const report: PrepareReport = { runDir, datasetDir, name: dataset.name, domain: dataset.domain, source, statistics: computeStatistics(dataset) };
  if (context.json) context.output.write(JSON.stringify(report, null, 2) + '\n');
  else context.output.write(`Dataset "${dataset.name}" (${source}) -> ${datasetDir}\n\n${formatStatistics(report.statistics, { name: dataset.name })}\n`);
  return report;
}

/** Adds `prepare` to the program. */
export function registerPrepareCommand(program: Command, contextFor: ContextFactory): void {
  program
    .command('prepare')
    .description('Build a run folder from MovieLens, Amazon, generic CSV/TSV/JSONL files, or the synthetic generator, and print its statistics.')
    .requiredOption('--out <dir>', 'run folder to create (the dataset goes to <dir>/dataset)')
    .option('--synthetic', 'generate the synthetic dataset (the embedded default)')
    .option('--seed <n>', 'synthetic: random seed (default 42)', nonNegativeInteger('--seed'))
    .option('--users <n>', 'synthetic: number of users (default 600)', positiveInteger('--users'))
    .option('--items <n>', 'synthetic: number of items (default 800)', positiveInteger('--items'))
    .option('--ml-1m <dir>', 'MovieLens-1M folder (ratings.dat, movies.dat); protocol ml-1m by default')
    .option('--ml-100k <dir>', 'MovieLens-100K folder (u.data, u.item)')
    .option('--amazon-reviews <file>', 'Amazon reviews JSON lines (2014/2018 field names); protocol amazon-games by default')
    .option('--amazon-meta <file>', 'Amazon metadata JSON lines')
    .option('--interactions <file>', 'generic interactions CSV/TSV/JSONL: user_id,item_id,timestamp + rating or label [+ split]')
    .option('--items-file <file>', 'generic items CSV/JSONL: item_id,title + attribute columns (multi-valued with |)')
    .addOption(new Option('--protocol <name>', 'labelling and split protocol').choices(['auto', 'ml-1m', 'amazon-games', 'given-split', 'months']).default('auto'))
    .option('--threshold <x>', 'binarize: rating above this is positive', Number)
    .option('--inclusive', 'binarize: rating equal to the threshold is positive too')
    .option('--last-months <n>', 'months protocol: keep the last N months', positiveInteger('--last-months'))
    .option('--train-months <n>', 'months protocol: train months', positiveInteger('--train-months'))
    .option('--valid-months <n>', 'months protocol: valid months (default: halve the rest)', positiveInteger('--valid-months'))
    .option('--test-months <n>', 'months protocol: test months', positiveInteger('--test-months'))
    .option('--name <name>', 'dataset name')
    .option('--domain <domain>', 'domain of the prompts: movies, games or books')
    .addOption(new Option('--missing-items <mode>', 'interactions whose item is not in the items file').choices(['error', 'drop']))
    .option('--json', 'print the statistics as JSON')
    .option('--quiet', 'no progress output')
    .action(async (flags: PrepareFlags) => {
      const context = contextFor(flags);
      try {
        await runPrepare(flags, context);
      } finally {
        context.close();
      }
    });
}
