import { checkInteger, checkNumber, checkObject, stringOption } from '@score/core';
import type { Domain, Interaction, Item, ItemId } from '@score/core';
import { prepareDataset } from '../dataset/prepare-dataset';
import type { PreparedDataset } from '../dataset/prepared-dataset';
import { monthStart, parseMonth } from '../protocol/months';
import type { DatasetProtocol, MonthSplitProtocol } from '../protocol/protocol';
import { type Catalogue, makeCatalogue } from './catalogue';
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
  /** Most (0-1) a gradually drifting user's taste mix moves towards a new cluster over their active period; each user draws a rate in [0, drift]. @defaultValue 0.8 */
  readonly drift?: number;
  /** Share (0-1) of users who switch abruptly to a new main cluster (70-100% of their mix), at a random time in the later 60% of the months (mostly the valid and test months) within their active period. @defaultValue 0.5 */
  readonly switchShare?: number;
  /** Weight (0-1) of the session's cluster in the taste mix of a visit. A session (about 6 visits within an hour) keeps the previous session's cluster (half the time), draws one from the user's current mix, or (one time in five) a passing mood for any cluster. @defaultValue 0.75 */
  readonly sessionFocus?: number;
  /** Share (0-1) of catalogue entries that are series of 2-5 parts (same genres and title words, released months apart). @defaultValue 0.3 */
  readonly seriesShare?: number;
  /** Probability (0-1) that, after liking a part of a series, the user's next pick is another part of it. @defaultValue 0.5 */
  readonly seriesFollow?: number;
  /** Share (0-1) of items (or series) first released during the covered months rather than before them. @defaultValue 0.3 */
  readonly newItemShare?: number;
  /** Months after which an item's popularity has faded by half (towards a floor of 20%). @defaultValue 4 */
  readonly popularityHalfLife?: number;
  /** Standard deviation of the rating noise (in stars). @defaultValue 0.7 */
  readonly ratingNoise?: number;
  /** Share of interactions picked by popularity alone rather than by taste. @defaultValue 0.3 */
  readonly exploration?: number;
  /**
   * Standard deviation of each taste cluster's own liking of each item, beyond what the item's
   * genres say: the part of taste that titles and genres cannot reveal and only the behaviour of
   * users of the same cluster shows (collaborative information). @defaultValue 0.4
   */
  readonly clusterItemTaste?: number;
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
  switchShare: number;
  sessionFocus: number;
  seriesShare: number;
  seriesFollow: number;
  newItemShare: number;
  popularityHalfLife: number;
  ratingNoise: number;
  exploration: number;
  clusterItemTaste: number;
}

function resolve(options: SyntheticDatasetOptions): ResolvedOptions {
  checkObject('options', options);
  const users = checkInteger('users', options.users ?? 600, 2, 1_000_000);
  const items = checkInteger('items', options.items ?? 800, 10, 1_000_000);
  const maxInteractions = checkInteger('maxInteractionsPerUser', options.maxInteractionsPerUser ?? Math.min(80, items), 1, items);
  const minInteractions = checkInteger('minInteractionsPerUser', options.minInteractionsPerUser ?? Math.min(20, maxInteractions), 1, maxInteractions);
  return {
    seed: checkInteger('seed', options.seed ?? 42, 0, 2 ** 32 - 1),
    users,
    items,
    minInteractions,
    maxInteractions,
    clusters: checkInteger('clusters', options.clusters ?? 8, 1, 1000),
    months: checkInteger('months', options.months ?? 20, 3, 600),
    startMonth: parseMonth('startMonth', options.startMonth ?? '2020-01'),
    popularitySkew: checkNumber('popularitySkew', options.popularitySkew ?? 1, { minimum: 0, maximum: 3 }),
    drift: checkNumber('drift', options.drift ?? 0.8, { minimum: 0, maximum: 1 }),
    switchShare: checkNumber('switchShare', options.switchShare ?? 0.5, { minimum: 0, maximum: 1 }),
    sessionFocus: checkNumber('sessionFocus', options.sessionFocus ?? 0.75, { minimum: 0, maximum: 1 }),
    seriesShare: checkNumber('seriesShare', options.seriesShare ?? 0.3, { minimum: 0, maximum: 1 }),
    seriesFollow: checkNumber('seriesFollow', options.seriesFollow ?? 0.5, { minimum: 0, maximum: 1 }),
    newItemShare: checkNumber('newItemShare', options.newItemShare ?? 0.3, { minimum: 0, maximum: 1 }),
    popularityHalfLife: checkNumber('popularityHalfLife', options.popularityHalfLife ?? 4, { minimum: 0.1, maximum: 1000 }),
    ratingNoise: checkNumber('ratingNoise', options.ratingNoise ?? 0.7, { minimum: 0, maximum: 5 }),
    exploration: checkNumber('exploration', options.exploration ?? 0.3, { minimum: 0, maximum: 1 }),
    clusterItemTaste: checkNumber('clusterItemTaste', options.clusterItemTaste ?? 0.4, { minimum: 0, maximum: 5 }),
  };
}

/** The default protocol for `months` months: rating > 3, train the first half, then two quarters. */
export function syntheticProtocol(months: number): MonthSplitProtocol {
  const trainMonths = Math.round(months / 2);
  const validMonths = Math.max(1, Math.floor((months - trainMonths) / 2));
  return { kind: 'months', binarize: { threshold: 3 }, lastMonths: months, trainMonths, validMonths, testMonths: months - trainMonths - validMonths };
}

/**
 * Generates a synthetic movie catalogue and ratings, deterministic by seed, with the time
 * dynamics of real logs such as ML-1M's:
 * - **Catalogue**: titles made of genre words ("Quantum Galaxy (1994)"), `genres` (1-3) and
 *   `year`; some items come in series ("Quantum Galaxy II") released months apart; a share of the
 *   items is released during the covered months. Popularity is Zipf-like, correlates with quality,
 *   starts at release and fades with age (`popularityHalfLife`).
 * - **Users** hold 1-3 taste clusters. Their mix drifts towards a new cluster at a per-user rate
 *   (up to `drift`), and a share of them (`switchShare`) switch abruptly to a new main cluster,
 *   mostly during the valid or test months.
 * - **Sessions**: each visit leans towards one cluster that often persists over sessions
 *   (`sessionFocus`), and after liking an item of a series the user often watches another part
 *   (`seriesFollow`), liking the parts of a series alike.
 * Users pick released items by their current taste (or, with `exploration`, by current popularity
 * alone) and rate them 1-5 from taste affinity (genres plus a cluster-specific liking of each item
 * that only other users reveal) + item quality + series liking + user bias + noise. So labels are
 * predictable from the recent history (sequence), the text (genres and title words) and similar
 * users, and a static user profile fitted on the first months goes stale.
 */
export function generateSyntheticInteractions(options: SyntheticDatasetOptions = {}): SyntheticData {
  const o = resolve(options);
  const random = new SeededRandom(o.seed);
  const clusterGenre = clusterGenres(random, o);
  const startYear = Number(new Date(monthStart(o.startMonth) * 1000).getUTCFullYear());
  const catalogue = makeCatalogue(random, { items: o.items, months: o.months, startYear, popularitySkew: o.popularitySkew, seriesShare: o.seriesShare, newItemShare: o.newItemShare });
  const affinity = clusterAffinity(random, o, catalogue, clusterGenre);
  const world: World = { o, catalogue, affinity, ...exposureTables(o, catalogue, affinity), start: monthStart(o.startMonth), span: monthStart(o.startMonth + o.months) - monthStart(o.startMonth) };
  const interactions: Interaction[] = [];
  for (let u = 0; u < o.users; u++) generateUser(String(u + 1), random, world, interactions);
  return { interactions, items: catalogue.items, domain: 'movies', protocol: syntheticProtocol(o.months) };
}

/** Taste clusters: a few liked genres, a few disliked ones (cluster-major, genres inner). */
function clusterGenres(random: SeededRandom, o: ResolvedOptions): Float64Array {
  const genreCount = SYNTHETIC_GENRES.length;
  const clusterGenre = new Float64Array(o.clusters * genreCount);
  for (let c = 0; c < o.clusters; c++) {
    const genres = random.shuffle([...Array(genreCount).keys()]);
    const liked = 2 + random.int(2);
    for (let k = 0; k < genreCount; k++) {
      const g = genres[k];
      clusterGenre[c * genreCount + g] = k < liked ? 1.5 + 0.5 * random.next() : k < liked + 3 ? -1.5 - 0.5 * random.next() : 0.2 * random.normal();
    }
  }
  return clusterGenre;
}

/** Affinity of each cluster for each item: its genres plus a cluster-specific liking. */
function clusterAffinity(random: SeededRandom, o: ResolvedOptions, catalogue: Catalogue, clusterGenre: Float64Array): Float64Array {
  const genreCount = SYNTHETIC_GENRES.length;
  const affinity = new Float64Array(o.clusters * o.items);
  for (let c = 0; c < o.clusters; c++) {
    for (let i = 0; i < o.items; i++) {
      const genres = catalogue.genres[i];
      let genreScore = 0;
      for (let k = 0; k < genres.length; k++) genreScore += clusterGenre[c * genreCount + genres[k]] * (k === 0 ? 1 : 0.5);
      affinity[c * o.items + i] = genreScore / (1 + 0.5 * (genres.length - 1)) + o.clusterItemTaste * random.normal();
    }
  }
  return affinity;
}

/** Cumulative item weights per time bucket, by popularity alone and by each cluster's taste. */
interface ExposureTables {
  readonly buckets: number;
  /** Per bucket: cumulative current popularity of the items. */
  readonly popularityCumulative: readonly Float64Array[];
  /** Per bucket and cluster (bucket-major): cumulative popularity weighted by exp(1.5 affinity). */
  readonly exposure: readonly Float64Array[];
}

/** Exposure per time bucket: released items only, popularity fading with age. */
function exposureTables(o: ResolvedOptions, catalogue: Catalogue, affinity: Float64Array): ExposureTables {
  const { popularity, release } = catalogue;
  const buckets = Math.max(1, Math.min(o.months, Math.floor(2e7 / (o.items * (o.clusters + 1)))));
  const popularityCumulative: Float64Array[] = [];
  const exposure: Float64Array[] = [];
  for (let b = 0; b < buckets; b++) {
    const month = ((b + 0.5) * o.months) / buckets;
    const current = new Float64Array(o.items);
    const cumulative = new Float64Array(o.items);
    let total = 0;
    for (let i = 0; i < o.items; i++) {
      const age = month - release[i];
      current[i] = age < 0 ? 0 : popularity[i] * (0.2 + 0.8 * 2 ** (-age / o.popularityHalfLife));
      total += current[i];
      cumulative[i] = total;
    }
    popularityCumulative.push(cumulative);
    for (let c = 0; c < o.clusters; c++) {
      const byTaste = new Float64Array(o.items);
      let sum = 0;
      for (let i = 0; i < o.items; i++) {
        sum += current[i] * Math.exp(1.5 * affinity[c * o.items + i]);
        byTaste[i] = sum;
      }
      exposure.push(byTaste);
    }
  }
  return { buckets, popularityCumulative, exposure };
}

/** Everything the users are drawn against: settings, catalogue, tastes, exposure and the covered time span. */
interface World extends ExposureTables {
  readonly o: ResolvedOptions;
  readonly catalogue: Catalogue;
  readonly affinity: Float64Array;
  /** First second of the first month. */
  readonly start: number;
  /** Seconds covered. */
  readonly span: number;
}

/** One user's lasting traits: clusters, drift or switch, bias, activity period and interaction count. */
interface UserProfile {
  readonly count: number;
  readonly bias: number;
  readonly activeFrom: number;
  readonly activeFor: number;
  /** Writes the user's long-term cluster mix at `time` into `into`. */
  mixAt(time: number, into: Float64Array): void;
}

/** Draws a user's clusters, drifting (or switching) mix, bias and activity period. */
function drawUserProfile(random: SeededRandom, world: World): UserProfile {
  const { o, start, span } = world;
  const mixStart = new Float64Array(o.clusters);
  const own = 1 + (random.next() < 0.45 ? 0 : random.next() < 0.6 ? 1 : 2);
  let weightTotal = 0;
  for (let k = 0; k < own; k++) {
    const w = 0.3 + random.next();
    mixStart[random.int(o.clusters)] += w;
    weightTotal += w;
  }
  let main = 0;
  for (let c = 0; c < o.clusters; c++) {
    mixStart[c] /= weightTotal;
    if (mixStart[c] > mixStart[main]) main = c;
  }
  const towards = o.clusters === 1 ? 0 : (main + 1 + random.int(o.clusters - 1)) % o.clusters;
  const switches = random.next() < o.switchShare;
  const shift = switches ? 0.7 + 0.3 * random.next() : o.drift * (0.3 + 0.7 * random.next());
  const bias = 0.3 * random.normal();
  const count = o.minInteractions + Math.floor((o.maxInteractions - o.minInteractions + 1) * random.next() ** 1.5);
  const activeFrom = start + span * 0.85 * random.next() ** 4;
  const activeFor = Math.max(span * 0.08, (start + span - activeFrom) * (0.35 + 0.65 * random.next()));
  // Switches fall in the later months (mostly the valid and test months), within the active period.
  const switchAt = Math.max(activeFrom + 0.2 * activeFor, start + span * (0.4 + 0.55 * random.next()));
  // Long-term mix at a time: gradual drift, or an abrupt switch to the new cluster.
  const mixAt = (time: number, into: Float64Array): void => {
    const moved = switches ? (time < switchAt ? 0 : shift) : shift * Math.min(1, Math.max(0, (time - activeFrom) / activeFor));
    for (let c = 0; c < o.clusters; c++) into[c] = (1 - moved) * mixStart[c] + (c === towards ? moved : 0);
  };
  return { count, bias, activeFrom, activeFor, mixAt };
}

/** A user's sessions (start times, each one's focus cluster) and visits (time, session), in time order. */
function drawVisits(random: SeededRandom, world: World, profile: UserProfile, mix: Float64Array): { sessionCluster: number[]; visits: { time: number; session: number }[] } {
  const { o } = world;
  const { count, activeFrom, activeFor } = profile;
  const sessions = Math.max(1, Math.ceil(count / 6));
  const sessionStarts: number[] = [];
  const sessionCluster: number[] = [];
  for (let s = 0; s < sessions; s++) sessionStarts.push(activeFrom + (activeFor - 3600) * random.next());
  sessionStarts.sort((a, b) => a - b);
  for (let s = 0; s < sessions; s++) {
    // A phase: the previous session's cluster, one of the user's clusters, or a passing mood.
    profile.mixAt(sessionStarts[s], mix);
    const draw = random.next();
    sessionCluster.push(s > 0 && draw < 0.5 ? sessionCluster[s - 1] : draw < 0.8 ? pickCluster(random, mix) : random.int(o.clusters));
  }
  const visits: { time: number; session: number }[] = [];
  for (let k = 0; k < count; k++) {
    const session = random.int(sessions);
    visits.push({ time: Math.floor(sessionStarts[session] + 3000 * random.next()), session });
  }
  visits.sort((a, b) => a.time - b.time);
  for (let k = 1; k < count; k++) if (random.next() < 0.03) visits[k].time = visits[k - 1].time;
  return { sessionCluster, visits };
}

/** Draws one user's profile, sessions and visits, and appends the items they pick and rate to `out`. */
function generateUser(userId: string, random: SeededRandom, world: World, out: Interaction[]): void {
  const { o, catalogue, affinity, buckets, popularityCumulative, exposure, start, span } = world;
  const { quality, release, seriesOf, series } = catalogue;
  const mix = new Float64Array(o.clusters);
  const profile = drawUserProfile(random, world);
  const { sessionCluster, visits } = drawVisits(random, world, profile, mix);
  const seen = new Set<number>();
  const seriesLiking = new Map<number, number>();
  let sequel = -1;
  for (const visit of visits) {
    const month = ((visit.time - start) / span) * o.months;
    const bucket = Math.min(buckets - 1, Math.max(0, Math.floor((month / o.months) * buckets)));
    profile.mixAt(visit.time, mix);
    for (let c = 0; c < o.clusters; c++) mix[c] = (1 - o.sessionFocus) * mix[c] + (c === sessionCluster[visit.session] ? o.sessionFocus : 0);
    let item = -1;
    if (sequel >= 0 && !seen.has(sequel) && release[sequel] <= month && random.next() < o.seriesFollow) item = sequel;
    for (let attempt = 0; item < 0 && attempt < 20; attempt++) {
      const cumulative = random.next() < o.exploration ? popularityCumulative[bucket] : exposure[bucket * o.clusters + pickCluster(random, mix)];
      if (cumulative[o.items - 1] <= 0) break;
      const candidate = random.pickCumulative(cumulative);
      if (!seen.has(candidate)) item = candidate;
    }
    if (item < 0) continue;
    seen.add(item);
    let taste = 0;
    for (let c = 0; c < o.clusters; c++) if (mix[c] > 0) taste += mix[c] * affinity[c * o.items + item];
    const inSeries = seriesOf[item];
    let liking = 0;
    if (inSeries >= 0) {
      liking = seriesLiking.get(inSeries) ?? 0.8 * random.normal();
      seriesLiking.set(inSeries, liking);
    }
    const score = 2.9 + 1.2 * taste + quality[item] + liking + profile.bias + o.ratingNoise * random.normal();
    const rating = Math.min(5, Math.max(1, Math.round(score)));
    out.push({ userId, itemId: String(item + 1), rating, timestamp: visit.time });
    if (inSeries >= 0) sequel = rating > 3 ? (series[inSeries].find((part) => !seen.has(part)) ?? -1) : -1;
  }
}

/** A cluster drawn from a mix (weights summing to 1). */
function pickCluster(random: SeededRandom, mix: Float64Array): number {
  let pick = random.next();
  let cluster = 0;
  while (cluster < mix.length - 1 && pick >= mix[cluster]) {
    pick -= mix[cluster];
    cluster++;
  }
  return cluster;
}

/**
 * Generates the synthetic dataset (see {@link generateSyntheticInteractions}) and prepares it with
 * `options.protocol`, by default the ML-1M-shaped month split (10/5/5 months for 20 months), so it
 * has the shape of the paper's ML-1M data. The default size (600 users, 800 items, about 30,000
 * rows) is the demo size, small enough for the whole pipeline to run in minutes on 2 CPU cores.
 */
export async function generateSyntheticDataset(options: SyntheticDatasetOptions = {}): Promise<PreparedDataset> {
  const data = generateSyntheticInteractions(options);
  const name = options.name === undefined ? 'synthetic' : stringOption('name', options.name);
  return prepareDataset({ interactions: data.interactions, items: data.items, protocol: options.protocol ?? data.protocol, name, domain: data.domain });
}
