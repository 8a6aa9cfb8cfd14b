import path from 'node:path';
import { type Domain, type Interaction, type Item, type ItemId, writeFileAtomic } from '@score/core';
import {
  AMAZON_GAMES_PROTOCOL,
  computeStatistics,
  type DatasetProtocol,
  formatStatistics,
  generateSyntheticInteractions,
  ML1M_PROTOCOL,
  prepareDataset,
  readAmazonMetadata,
  readAmazonReviews,
  readGenericInteractions,
  readGenericItems,
  readMovieLens100K,
  readMovieLens100KItems,
  readMovieLens1M,
  readMovieLens1MItems,
  saveDataset,
  type SyntheticDatasetOptions,
} from '@score/data';
import type { ScoreConfig } from '../config/config-schema';
import type { StageContext, StageResult } from '../pipeline/stage';

/** What a configured data source reads, before the protocol is applied. */
interface SourceData {
  readonly label: string;
  readonly name: string;
  readonly domain: Domain;
  readonly interactions: AsyncIterable<Interaction> | Iterable<Interaction>;
  readonly items: ReadonlyMap<ItemId, Item>;
  /** The protocol `auto` stands for. */
  readonly protocol: DatasetProtocol;
}

/** The generator options of a synthetic source: its seed and size, and the knobs it sets (the rest keep the generator's defaults). */
function syntheticOptions(source: Extract<ScoreConfig['data']['source'], { kind: 'synthetic' }>): SyntheticDatasetOptions {
  const { kind: _kind, ...options } = source;
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as SyntheticDatasetOptions;
}

/** The readers of each MovieLens release (its folder as published by GroupLens), its label and the protocol `auto` stands for. */
const MOVIELENS_READERS = {
  'ml-1m': { label: 'MovieLens-1M', interactions: readMovieLens1M, items: readMovieLens1MItems, protocol: ML1M_PROTOCOL },
  'ml-100k': { label: 'MovieLens-100K', interactions: readMovieLens100K, items: readMovieLens100KItems, protocol: { kind: 'months', binarize: { threshold: 3 }, trainMonths: 5 } },
} as const satisfies Record<'ml-1m' | 'ml-100k', { label: string; interactions: typeof readMovieLens1M; items: typeof readMovieLens1MItems; protocol: DatasetProtocol }>;

async function readSource(config: ScoreConfig, context: Pick<StageContext, 'onProgress' | 'signal'>): Promise<SourceData> {
  const { source } = config.data;
  const { onProgress, signal } = context;
  switch (source.kind) {
    case 'synthetic': {
      const data = generateSyntheticInteractions(syntheticOptions(source));
      return { label: `synthetic (seed ${source.seed})`, name: 'synthetic', domain: data.domain, interactions: data.interactions, items: data.items, protocol: data.protocol };
    }
    case 'ml-1m':
    case 'ml-100k': {
      const movieLens = MOVIELENS_READERS[source.kind];
      return {
        label: `${movieLens.label} ${source.dir}`,
        name: source.kind,
        domain: 'movies',
        interactions: movieLens.interactions({ directory: source.dir, onProgress, signal }),
        items: await movieLens.items({ directory: source.dir, signal }),
        protocol: movieLens.protocol,
      };
    }
    case 'amazon':
      return {
        label: `Amazon ${source.reviews}`,
        name: 'amazon-games',
        domain: 'games',
        interactions: readAmazonReviews({ path: source.reviews, onProgress, signal }),
        items: await readAmazonMetadata({ path: source.meta, signal }),
        protocol: AMAZON_GAMES_PROTOCOL,
      };
    case 'generic':
      return {
        label: `generic ${source.interactions}`,
        name: path.basename(source.interactions).replace(/\.[^.]+$/, ''),
        domain: 'movies',
        interactions: readGenericInteractions({ path: source.interactions, format: source.format, timestampUnit: source.timestampUnit, onProgress, signal }),
        items: await readGenericItems({ path: source.items, format: source.format, signal }),
        protocol: { kind: 'given-split', binarize: { threshold: 3 } },
      };
  }
}

/** The `@score/data` protocol a config's `data.protocol` names (`auto`: the source's own). */
export function resolveProtocol(protocol: ScoreConfig['data']['protocol'], sourceDefault: DatasetProtocol): DatasetProtocol {
  switch (protocol.kind) {
    case 'auto':
      if (protocol.threshold === undefined) return sourceDefault;
      return { ...sourceDefault, binarize: { threshold: protocol.threshold, inclusive: protocol.inclusive ?? false } };
    case 'ml-1m':
      return ML1M_PROTOCOL;
    case 'amazon-games':
      return AMAZON_GAMES_PROTOCOL;
    case 'given-split':
      return { kind: 'given-split', binarize: { threshold: protocol.threshold, inclusive: protocol.inclusive } };
    case 'months':
      return {
        kind: 'months',
        binarize: { threshold: protocol.threshold, inclusive: protocol.inclusive },
        skipLastMonths: protocol.skipLastMonths,
        trainMonths: protocol.trainMonths,
        ...(protocol.lastMonths === undefined ? {} : { lastMonths: protocol.lastMonths }),
        ...(protocol.validMonths === undefined ? {} : { validMonths: protocol.validMonths }),
        ...(protocol.testMonths === undefined ? {} : { testMonths: protocol.testMonths }),
      };
  }
}

/**
 * The `prepare` stage: reads the configured source (`data.source`), applies the protocol
 * (`data.protocol`) and writes the prepared dataset to `<stage folder>/dataset/` (see
 * `saveDataset` of @score/data; `loadDataset(context.stageDir('prepare'))` reads it back), plus
 * `statistics.txt`, the paper's Table 1 for this dataset.
 */
export async function runPrepareStage(context: StageContext): Promise<StageResult> {
  const { config, logger } = context;
  const source = await readSource(config, context);
  logger.info(`prepare: reading ${source.label}`);
  const dataset = await prepareDataset({
    interactions: source.interactions,
    items: source.items,
    protocol: resolveProtocol(config.data.protocol, source.protocol),
    name: config.data.name ?? source.name,
    domain: config.data.domain ?? source.domain,
    missingItems: config.data.missingItems,
    onProgress: context.onProgress,
    logger,
  });
  context.signal.throwIfAborted();
  const datasetDir = await saveDataset(dataset, context.outputDir);
  const statistics = computeStatistics(dataset);
  await writeFileAtomic(path.join(context.outputDir, 'statistics.txt'), `${formatStatistics(statistics, { name: dataset.name })}\n`);
  logger.info(`prepare: dataset "${dataset.name}" written (${path.basename(datasetDir)}/)`, { users: statistics.users, items: statistics.items });
  return {
    summary: { name: dataset.name, domain: dataset.domain, source: source.label, users: statistics.users, items: statistics.items, rows: statistics.rows },
  };
}
