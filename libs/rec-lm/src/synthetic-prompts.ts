import { createRandom } from '@score/core';
import type { RecLmExample } from './train-rec-lm';

/** Options of {@link syntheticPrompts}. */
export interface SyntheticPromptsOptions {
  /** Examples to make. */
  readonly count: number;
  /** Seed. @defaultValue 0 */
  readonly seed?: number;
  /** History items per prompt, inclusive range. @defaultValue [3, 6] */
  readonly historyLength?: readonly [number, number];
  /** Give each movie a made-up two-word title before its genre ("river star (comedy)"); else the genre alone. @defaultValue true */
  readonly titles?: boolean;
  /**
   * "basic": the basic prompt P^b of method.md; "compact": "Liked: <history>. Target: <target>",
   * which ends with the target so that one attention hop decides the label (fast to learn).
   * @defaultValue "basic"
   */
  readonly template?: 'basic' | 'compact';
}

const GENRES = ['comedy', 'drama', 'horror', 'western', 'romance', 'thriller', 'musical', 'fantasy'];
const WORDS = ['night', 'river', 'star', 'city', 'dream', 'storm', 'garden', 'shadow', 'road', 'summer', 'winter', 'island', 'fire', 'stone', 'mirror', 'crown'];

/**
 * Basic prompts (method.md, P^b) over made-up movies "title (genre)" whose label depends on the
 * text alone: 1 exactly when the target's genre appears in the history. Half the examples are
 * positive. For tests and benchmarks of the from-scratch model.
 */
export function syntheticPrompts(options: SyntheticPromptsOptions): RecLmExample[] {
  const random = createRandom(options.seed ?? 0);
  const [low, high] = options.historyLength ?? [3, 6];
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const titles = options.titles ?? true;
  const movie = (genre: string): string => (titles ? `${pick(WORDS)} ${pick(WORDS)} (${genre})` : genre);
  const examples: RecLmExample[] = [];
  for (let n = 0; n < options.count; n++) {
    const size = low + Math.floor(random() * (high - low + 1));
    const label: 0 | 1 = random() < 0.5 ? 1 : 0;
    const pool = [...GENRES];
    const history: string[] = [];
    const target = pick(pool);
    const others = pool.filter((genre) => genre !== target);
    for (let i = 0; i < size; i++) history.push(pick(others));
    if (label === 1) history[Math.floor(random() * size)] = target;
    const items = history.map(movie).join(', ');
    const targetText = movie(target);
    if (options.template === 'compact') {
      examples.push({ prompt: `Liked: ${items}. Target: ${targetText}`, label });
      continue;
    }
    examples.push({
      prompt: `The user has highly rated the following movies: ${items}. Based on this information, predict whether the user would enjoy the movie titled ${targetText}. Respond with either 'Yes' or 'No'.`,
      label,
    });
  }
  return examples;
}
