/** Behaviour texts of movie titles for the encoder benchmarks (seeded, no data files). */
const TITLES = [
  'Toy Story (1995)', 'Heat (1995)', 'Casino (1995)', 'Jumanji (1995)', 'Se7en (1995)', 'The Usual Suspects (1995)', 'Braveheart (1995)', 'Apollo 13 (1995)',
  'Fargo (1996)', 'Trainspotting (1996)', 'Titanic (1997)', 'Good Will Hunting (1997)', 'The Big Lebowski (1998)', 'The Matrix (1999)', 'Fight Club (1999)',
  'American Beauty (1999)', 'Gladiator (2000)', 'Memento (2000)', 'Amélie (2001)', 'Spirited Away (2001)', 'The Godfather (1972)', 'Star Wars (1977)',
  'Alien (1979)', 'Blade Runner (1982)', 'Back to the Future (1985)', 'Aliens (1986)', 'Die Hard (1988)', 'Goodfellas (1990)', 'Pulp Fiction (1994)',
  'Forrest Gump (1994)', 'The Shawshank Redemption (1994)', 'Schindler\'s List (1993)', 'Jurassic Park (1993)', 'Groundhog Day (1993)', 'Reservoir Dogs (1992)',
  'Unforgiven (1992)', 'The Silence of the Lambs (1991)', 'Terminator 2: Judgment Day (1991)', 'Léon: The Professional (1994)', 'Twelve Monkeys (1995)',
];

/** How {@link behaviourTexts} draws its texts. */
export interface BehaviourTextsOptions {
  /** Seed of the generator. */
  readonly seed: number;
  /** Titles per text: `minTitles` plus 0 to `extraTitles - 1` more. */
  readonly minTitles: number;
  readonly extraTitles: number;
  /** Quote each title, as the CAR corpus writes them. @defaultValue false */
  readonly quoted?: boolean;
}

/** `count` texts "The user has highly rated the following movies: ...", titles drawn with a seeded LCG. */
export function behaviourTexts(count: number, options: BehaviourTextsOptions): string[] {
  let state = options.seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const title = (): string => (options.quoted ? `"${TITLES[next(TITLES.length)]}"` : TITLES[next(TITLES.length)]!);
  return Array.from({ length: count }, () => `The user has highly rated the following movies: ${Array.from({ length: options.minTitles + next(options.extraTitles) }, title).join(', ')}.`);
}

/** Seconds since `start` (`process.hrtime.bigint()`). */
export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
