import type { Item, ItemId } from '@score/core';
import type { SeededRandom } from './random';
import { SYNTHETIC_GENRES } from './vocabulary';

/** Settings of {@link makeCatalogue} (resolved options of the generator). */
export interface CatalogueSettings {
  readonly items: number;
  readonly months: number;
  /** Calendar year of the first month. */
  readonly startYear: number;
  readonly popularitySkew: number;
  readonly seriesShare: number;
  readonly newItemShare: number;
}

/** The synthetic catalogue: items, their genres, series, release months and base popularity. */
export interface Catalogue {
  readonly items: Map<ItemId, Item>;
  /** Genre indices of each item (primary first). */
  readonly genres: readonly (readonly number[])[];
  /** Base popularity (Zipf over a random rank). */
  readonly popularity: Float64Array;
  /** Quality (in stars), correlated with popularity. */
  readonly quality: Float64Array;
  /** Release month of each item, relative to the first month (negative: released before). */
  readonly release: Float64Array;
  /** Series of each item (-1: standalone). */
  readonly seriesOf: Int32Array;
  /** Items of each series in release order. */
  readonly series: readonly (readonly number[])[];
}

const ROMAN = ['II', 'III', 'IV', 'V', 'VI'];

/**
 * Makes the catalogue. Items come standalone or in series ("Quantum Galaxy", "Quantum Galaxy II",
 * ...) that share genres and title words and are released a few months apart; a share of the
 * items is released during the covered months (the others are older); titles are made of genre
 * words and end with the release year.
 */
export function makeCatalogue(random: SeededRandom, o: CatalogueSettings): Catalogue {
  const genreCount = SYNTHETIC_GENRES.length;
  const genres: number[][] = [];
  const popularity = new Float64Array(o.items);
  const quality = new Float64Array(o.items);
  const release = new Float64Array(o.items);
  const seriesOf = new Int32Array(o.items).fill(-1);
  const series: number[][] = [];
  const items = new Map<ItemId, Item>();
  const titles = new Set<string>();
  const bases = new Set<string>();
  let collisions = 0;

  const ranks = random.shuffle([...Array(o.items).keys()]);
  let logMean = 0;
  for (let i = 0; i < o.items; i++) {
    popularity[i] = 1 / (ranks[i] + 1) ** o.popularitySkew;
    logMean += Math.log(popularity[i]) / o.items;
  }
  let logSd = 0;
  for (let i = 0; i < o.items; i++) logSd += (Math.log(popularity[i]) - logMean) ** 2 / o.items;
  logSd = Math.sqrt(logSd) || 1;

  for (let first = 0; first < o.items; ) {
    const length = Math.min(o.items - first, random.next() < o.seriesShare ? 2 + random.int(4) : 1);
    const primary = random.int(genreCount);
    const shared = [primary];
    const extra = random.next() < 0.55 ? (random.next() < 0.35 ? 2 : 1) : 0;
    while (shared.length < 1 + extra) {
      const g = random.int(genreCount);
      if (!shared.includes(g)) shared.push(g);
    }
    // Release month of the first part: older than the covered months, or during them.
    let month = random.next() < o.newItemShare ? o.months * 0.8 * random.next() : -1 - 60 * random.next() ** 2;
    let base = makeTitle(random, shared);
    for (let attempt = 0; length > 1 && bases.has(base); attempt++) {
      base = attempt < 20 ? makeTitle(random, shared) : `${makeTitle(random, shared)} ${++collisions}`;
    }
    bases.add(base);
    const members: number[] = [];
    let firstYear = o.startYear - 1;
    for (let part = 0; part < length; part++) {
      const i = first + part;
      if (part > 0) month += 2 + 4 * random.next();
      release[i] = month;
      genres.push(shared);
      // Older series: a year in the past for the first part, later parts months after it.
      if (part === 0 && month < 0) firstYear = Math.max(1930, o.startYear - 1 - Math.floor(70 * random.next() ** 2));
      const year = month >= 0 ? o.startYear + Math.floor(month / 12) : Math.min(o.startYear - 1, firstYear + Math.floor((month - release[first]) / 12));
      let title = part === 0 ? `${base} (${year})` : `${base} ${ROMAN[part - 1]} (${year})`;
      for (let attempt = 0; titles.has(title); attempt++) {
        // Standalone collision: a numbered remake, then a new title.
        if (attempt < ROMAN.length && length === 1) title = `${base} ${ROMAN[attempt]} (${year})`;
        else title = `${attempt < 20 ? makeTitle(random, shared) : `${makeTitle(random, shared)} ${++collisions}`} (${year})`;
      }
      titles.add(title);
      quality[i] = 0.14 * ((Math.log(popularity[i]) - logMean) / logSd) + 0.2 * random.normal();
      if (length > 1) seriesOf[i] = series.length;
      members.push(i);
      const id = String(i + 1);
      items.set(id, { id, title, attributes: { genres: shared.map((g) => SYNTHETIC_GENRES[g].name), year: [String(year)] } });
    }
    if (length > 1) series.push(members);
    first += length;
  }
  return { items, genres, popularity, quality, release, seriesOf, series };
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
