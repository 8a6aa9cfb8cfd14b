import type { Domain, Interaction, Item, ItemId } from '@score/core';
import { prepareDataset } from '../dataset/prepare-dataset';
import type { PreparedDataset } from '../dataset/prepared-dataset';
import { requireInteger, requireNumber, requireObject, requireString } from '../io/validate';
import { monthStart, parseMonth } from '../protocol/months';
import type { DatasetProtocol, MonthSplitProtocol } from '../protocol/protocol';
import { SeededRandom } from './random';
import { SYNTHETIC_GENRES } from './vocabulary';

/** Options of {@link generateSyntheticInteractions} and {@link generateSyntheticDataset}. */
export interface SyntheticDatasetOptions {
  /** Seed; the same seed and options give the same data. @defaultValue 42 */
  readonly seed?: number;
  /** Number of users (ML-1M has 6,040). @defaultValue 600 */
  readonly users?: number;
  /** Number of items (ML-1M has 3,706 rated). @defaultValue 800 */
  readonly items?: number;
  /** Fewest interactions of a user (at most `maxInteractionsPerUser`). @defaultValue 20 */
  readonly minInteractionsPerUser?: number;
  /** Most interactions of a user, at most `items` (ML-1M scale: 6,040 users with 20..383 give about 1M rows). @defaultValue 80 (or `items` when fewer) */
  readonly maxInteractionsPerUser?: number;
  /** Taste clusters; each likes a few genres and has its own favourite items. @defaultValue 8 */
  readonly clusters?: number;
  /** Calendar months the interactions span. @defaultValue 20 */
  readonly months?: number;
  /** First month (UTC), `YYYY-MM`. @defaultValue "2020-01" */
  readonly startMonth?: string;
  /** Zipf exponent of item popularity. @defaultValue 1 */
  readonly popularitySkew?: number;
  /** How far (0-1) a user's taste mix moves towards a new cluster over their active period. @defaultValue 0.5 */
  readonly drift?: number;
  /** Standard deviation of the rating noise (in stars). @defaultValue 0.7 */
  readonly ratingNoise?: number;
  /** Share of interactions picked by popularity alone rather than by taste. @defaultValue 0.3 */
  readonly exploration?: number;
  /** Dataset name. @defaultValue "synthetic" */
  readonly name?: string;
  /**
   * Protocol of {@link generateSyntheticDataset}.
   * @defaultValue ML-1M style: rating > 3 positive, every month kept, split half / quarter / quarter of the months (10/5/5 for 20 months)
   */
  readonly protocol?: DatasetProtocol;
}

/** Raw synthetic data: interactions (grouped by user, in time order, like `ratings.dat`) and items. */
export interface SyntheticData {
  readonly interactions: readonly Interaction[];
  readonly items: Map<ItemId, Item>;
  readonly domain: Domain;
  /** The protocol {@link generateSyntheticDataset} applies by default to these options. */
  readonly protocol: MonthSplitProtocol;
}

interface ResolvedOptions {
  seed: number;
  users: number;
  items: number;
  minInteractions: number;
  maxInteractions: number;
  clusters: number;
  months: number;
  startMonth: number;
  popularitySkew: number;
  drift: number;
  ratingNoise: number;
  exploration: number;
}

const ROMAN = ['II', 'III', 'IV', 'V', 'VI'];

function resolve(options: SyntheticDatasetOptions): ResolvedOptions {
  requireObject('options', options);
  const users = requireInteger('users', options.users ?? 600, 2, 1_000_000);
  const items = requireInteger('items', options.items ?? 800, 10, 1_000_000);
  const maxInteractions = requireInteger('maxInteractionsPerUser', options.maxInteractionsPerUser ?? Math.min(80, items), 1, items);
  const minInteractions = requireInteger('minInteractionsPerUser', options.minInteractionsPerUser ?? Math.min(20, maxInteractions), 1, maxInteractions);
  return {
    seed: requireInteger('seed', options.seed ?? 42, 0, 2 ** 32 - 1),
    users,
    items,
    minInteractions,
    maxInteractions,
    clusters: requireInteger('clusters', options.clusters ?? 8, 1, 1000),
    months: requireInteger('months', options.months ?? 20, 3, 600),
    startMonth: parseMonth('startMonth', options.startMonth ?? '2020-01'),
    popularitySkew: requireNumber('popularitySkew', options.popularitySkew ?? 1, 0, 3),
    drift: requireNumber('drift', options.drift ?? 0.5, 0, 1),
    ratingNoise: requireNumber('ratingNoise', options.ratingNoise ?? 0.7, 0, 5),
    exploration: requireNumber('exploration', options.exploration ?? 0.3, 0, 1),
  };
}

/** The default protocol for `months` months: rating > 3, train the first half, then two quarters. */
export function syntheticProtocol(months: number): MonthSplitProtocol {
  const trainMonths = Math.round(months / 2);
  const validMonths = Math.max(1, Math.floor((months - trainMonths) / 2));
  return { kind: 'months', binarize: { threshold: 3 }, lastMonths: months, trainMonths, validMonths, testMonths: months - trainMonths - validMonths };
}

/**
 * Generates a synthetic movie catalogue and ratings, deterministic by seed. Items have titles made
 * of genre words ("Quantum Galaxy (1994)"), `genres` (1-3) and `year`; popularity is Zipf-like and
 * correlates with quality. Users hold 1-3 taste clusters whose mix drifts towards another cluster
 * over their active period; they pick items by their current taste (or, with `exploration`, by
 * popularity alone) and rate them 1-5 from taste affinity (genres plus a cluster-specific liking
 * of each item that only other users reveal) + item quality + user bias + noise. So labels are
 * predictable from the history (sequence), the text (genres and title words) and similar users.
 */
export function generateSyntheticInteractions(options: SyntheticDatasetOptions = {}): SyntheticData {
  const o = resolve(options);
  const random = new SeededRandom(o.seed);
  const genreCount = SYNTHETIC_GENRES.length;

  // Taste clusters: a few liked genres, a few disliked ones.
  const clusterGenre = new Float64Array(o.clusters * genreCount);
  for (let c = 0; c < o.clusters; c++) {
    const genres = random.shuffle([...Array(genreCount).keys()]);
    const liked = 2 + random.int(2);
    for (let k = 0; k < genreCount; k++) {
      const g = genres[k];
      clusterGenre[c * genreCount + g] = k < liked ? 1.5 + 0.5 * random.next() : k < liked + 3 ? -1.5 - 0.5 * random.next() : 0.2 * random.normal();
    }
  }

  // Items: genres, title, year, popularity (Zipf over a random rank) and quality.
  const itemGenres: number[][] = [];
  const items = new Map<ItemId, Item>();
  const titles = new Set<string>();
  const popularity = new Float64Array(o.items);
  const quality = new Float64Array(o.items);
  const ranks = random.shuffle([...Array(o.items).keys()]);
  let logMean = 0;
  for (let i = 0; i < o.items; i++) {
    popularity[i] = 1 / (ranks[i] + 1) ** o.popularitySkew;
    logMean += Math.log(popularity[i]) / o.items;
  }
  let logSd = 0;
  for (let i = 0; i < o.items; i++) logSd += (Math.log(popularity[i]) - logMean) ** 2 / o.items;
  logSd = Math.sqrt(logSd) || 1;
  for (let i = 0; i < o.items; i++) {
    const primary = random.int(genreCount);
    const genres = [primary];
    const extra = random.next() < 0.55 ? (random.next() < 0.35 ? 2 : 1) : 0;
    while (genres.length < 1 + extra) {
      const g = random.int(genreCount);
      if (!genres.includes(g)) genres.push(g);
    }
    itemGenres.push(genres);
    const year = 1950 + Math.floor(70 * Math.sqrt(random.next()));
    let base = makeTitle(random, genres);
    let title = `${base} (${year})`;
    for (let attempt = 0; titles.has(title); attempt++) {
      if (attempt < ROMAN.length) title = `${base} ${ROMAN[attempt]} (${year})`;
      else {
        base = makeTitle(random, genres);
        title = `${base} (${year})`;
      }
    }
    titles.add(title);
    quality[i] = 0.14 * ((Math.log(popularity[i]) - logMean) / logSd) + 0.2 * random.normal();
    const id = String(i + 1);
    items.set(id, { id, title, attributes: { genres: genres.map((g) => SYNTHETIC_GENRES[g].name), year: [String(year)] } });
  }

  // Affinity of each cluster for each item: its genres plus a cluster-specific liking.
  const affinity = new Float64Array(o.clusters * o.items);
  const exposure: Float64Array[] = [];
  for (let c = 0; c < o.clusters; c++) {
    const cumulative = new Float64Array(o.items);
    let total = 0;
    for (let i = 0; i < o.items; i++) {
      const genres = itemGenres[i];
      let genreScore = 0;
      for (let k = 0; k < genres.length; k++) genreScore += clusterGenre[c * genreCount + genres[k]] * (k === 0 ? 1 : 0.5);
      const value = genreScore / (1 + 0.5 * (genres.length - 1)) + 0.4 * random.normal();
      affinity[c * o.items + i] = value;
      total += popularity[i] * Math.exp(1.5 * value);
      cumulative[i] = total;
    }
    exposure.push(cumulative);
  }
  const popularityCumulative = new Float64Array(o.items);
  let popularityTotal = 0;
  for (let i = 0; i < o.items; i++) {
    popularityTotal += popularity[i];
    popularityCumulative[i] = popularityTotal;
  }

  // Users: clusters, drifting mix, bias, activity period; then their interactions.
  const start = monthStart(o.startMonth);
  const span = monthStart(o.startMonth + o.months) - start;
  const interactions: Interaction[] = [];
  const mixStart = new Float64Array(o.clusters);
  const mixEnd = new Float64Array(o.clusters);
  const mix = new Float64Array(o.clusters);
  for (let u = 0; u < o.users; u++) {
    const userId = String(u + 1);
    mixStart.fill(0);
    const own = 1 + (random.next() < 0.45 ? 0 : random.next() < 0.6 ? 1 : 2);
    let weightTotal = 0;
    for (let k = 0; k < own; k++) {
      const w = 0.3 + random.next();
      mixStart[random.int(o.clusters)] += w;
      weightTotal += w;
    }
    for (let c = 0; c < o.clusters; c++) mixStart[c] /= weightTotal;
    const shift = o.drift * (0.3 + 0.7 * random.next());
    const towards = random.int(o.clusters);
    for (let c = 0; c < o.clusters; c++) mixEnd[c] = (1 - shift) * mixStart[c] + (c === towards ? shift : 0);
    const bias = 0.3 * random.normal();
    const count = o.minInteractions + Math.floor((o.maxInteractions - o.minInteractions + 1) * random.next() ** 1.5);
    const activeFrom = start + span * 0.85 * random.next() ** 4;
    const activeFor = Math.max(span * 0.08, (start + span - activeFrom) * (0.35 + 0.65 * random.next()));
    const sessions = Math.max(1, Math.ceil(count / 10));
    const sessionStarts: number[] = [];
    for (let s = 0; s < sessions; s++) sessionStarts.push(activeFrom + (activeFor - 3600) * random.next());
    const times: number[] = [];
    for (let k = 0; k < count; k++) times.push(Math.floor(random.pick(sessionStarts) + 3000 * random.next()));
    times.sort((a, b) => a - b);
    for (let k = 1; k < count; k++) if (random.next() < 0.03) times[k] = times[k - 1];
    const seen = new Set<number>();
    for (let k = 0; k < count; k++) {
      const progress = Math.min(1, Math.max(0, (times[k] - activeFrom) / activeFor));
      for (let c = 0; c < o.clusters; c++) mix[c] = (1 - progress) * mixStart[c] + progress * mixEnd[c];
      let item = -1;
      for (let attempt = 0; attempt < 20; attempt++) {
        let candidate: number;
        if (random.next() < o.exploration) candidate = random.pickCumulative(popularityCumulative);
        else {
          let pick = random.next();
          let cluster = 0;
          while (cluster < o.clusters - 1 && pick >= mix[cluster]) {
            pick -= mix[cluster];
            cluster++;
          }
          candidate = random.pickCumulative(exposure[cluster]);
        }
        if (!seen.has(candidate)) {
          item = candidate;
          break;
        }
      }
      if (item < 0) continue;
      seen.add(item);
      let taste = 0;
      for (let c = 0; c < o.clusters; c++) if (mix[c] > 0) taste += mix[c] * affinity[c * o.items + item];
      const score = 3.1 + 1.2 * taste + quality[item] + bias + o.ratingNoise * random.normal();
      const rating = Math.min(5, Math.max(1, Math.round(score)));
      interactions.push({ userId, itemId: String(item + 1), rating, timestamp: times[k] });
    }
  }
  return { interactions, items, domain: 'movies', protocol: syntheticProtocol(o.months) };
}

function makeTitle(random: SeededRandom, genres: readonly number[]): string {
  const first = SYNTHETIC_GENRES[genres[0]];
  const second = SYNTHETIC_GENRES[genres.length > 1 ? genres[1] : genres[0]];
  switch (random.int(5)) {
    case 0:
      return `${random.pick(first.leads)} ${random.pick(first.nouns)}`;
    case 1:
      return `The ${random.pick(first.leads)} ${random.pick(second.nouns)}`;
    case 2:
      return `${random.pick(first.nouns)} of the ${random.pick(second.nouns)}`;
    case 3:
      return `${random.pick(second.leads)} ${random.pick(first.nouns)}`;
    default:
      return `${random.pick(first.nouns)}: ${random.pick(second.leads)} ${random.pick(second.nouns)}`;
  }
}

/**
 * Generates the synthetic dataset (see {@link generateSyntheticInteractions}) and prepares it with
 * `options.protocol`, by default the ML-1M-shaped month split (10/5/5 months for 20 months), so it
 * has the shape of the paper's ML-1M data. The default size (600 users, 800 items, about 30,000
 * rows) is the demo size, small enough for the whole pipeline to run in minutes on 2 CPU cores.
 */
export async function generateSyntheticDataset(options: SyntheticDatasetOptions = {}): Promise<PreparedDataset> {
  const data = generateSyntheticInteractions(options);
  const name = options.name === undefined ? 'synthetic' : requireString('name', options.name);
  return prepareDataset({ interactions: data.interactions, items: data.items, protocol: options.protocol ?? data.protocol, name, domain: data.domain });
}
