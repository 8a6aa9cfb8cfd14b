import { InvalidOptionError, checkInteger } from '@score/core';

/** The user retrievers a prompt variant can draw similar users from (`@score/car-retriever`'s `CarVariant`). */
export type RetrieverKind = 'car' | 'base' | 'cf';

/**
 * The prompt variants of the paper's evaluation (method.md Stage 3, Fig. 3 ablations):
 * `basic` P^b without CI (TALLRec-style), `cf` P^s from CRM neighbours (SCoRe-cf), `base` P^s from
 * the untuned retriever (SCoRe-base), `car` P^s from CAR without SARE, `score` P^s from CAR + SARE.
 */
export type PromptVariantId = 'basic' | 'cf' | 'base' | 'car' | 'score';

/** How one prompt variant is built. */
export interface PromptVariantDefinition {
  /** The variant's id. */
  readonly id: PromptVariantId;
  /** `basic` fills P^b; `ci` fills P^s with the kept similar users' behaviours. */
  readonly template: 'basic' | 'ci';
  /** The retriever whose K_e users are considered; none for `basic`. */
  readonly retriever?: RetrieverKind;
  /** Whether SARE reorders the K_e retrieved users (query: the filled P^b) before the top K_s are kept. */
  readonly rerank: boolean;
  /** One line for reports. */
  readonly description: string;
}

/** Every variant, in the order the evaluation reports them. */
export const PROMPT_VARIANT_IDS: readonly PromptVariantId[] = Object.freeze(['basic', 'cf', 'base', 'car', 'score'] as const);

/** The definition of each variant. */
export const PROMPT_VARIANTS: Readonly<Record<PromptVariantId, PromptVariantDefinition>> = Object.freeze({
  basic: Object.freeze({ id: 'basic', template: 'basic', rerank: false, description: 'P^b: the history and the target, no collaborative information.' }),
  cf: Object.freeze({ id: 'cf', template: 'ci', retriever: 'cf', rerank: false, description: 'SCoRe-cf: P^s with the top K_s of the K_e CRM neighbours.' }),
  base: Object.freeze({ id: 'base', template: 'ci', retriever: 'base', rerank: false, description: 'SCoRe-base: P^s with the top K_s of K_e users from the untuned retriever.' }),
  car: Object.freeze({ id: 'car', template: 'ci', retriever: 'car', rerank: false, description: 'SCoRe without SARE: P^s with the top K_s of K_e users from CAR.' }),
  score: Object.freeze({ id: 'score', template: 'ci', retriever: 'car', rerank: true, description: 'SCoRe: P^s with the top K_s of K_e CAR users after SARE reranking.' }),
} satisfies Record<PromptVariantId, PromptVariantDefinition>);

/** A prompt set to build: a variant with its K_e and K_s. */
export interface PromptSetSpec {
  /** Which variant. */
  readonly variant: PromptVariantId;
  /**
   * K_e: users retrieved per row (ignored by `basic`).
   * @defaultValue 10
   */
  readonly retrieved?: number;
  /**
   * K_s: similar users kept in the prompt, at most K_e (ignored by `basic`).
   * @defaultValue 2
   */
  readonly kept?: number;
}

/** A checked {@link PromptSetSpec}; `basic` has `retrieved` and `kept` 0. */
export interface ResolvedPromptSetSpec {
  /** Which variant. */
  readonly variant: PromptVariantId;
  /** K_e (0 for `basic`). */
  readonly retrieved: number;
  /** K_s (0 for `basic`). */
  readonly kept: number;
}

/** K_e of the paper. */
export const DEFAULT_RETRIEVED = 10;
/** K_s of the paper (ML-1M). */
export const DEFAULT_KEPT = 2;

/**
 * Checks a spec and fills its defaults.
 * @throws InvalidOptionError naming `variant`, `retrieved` or `kept` (K_s must not exceed K_e).
 */
export function resolvePromptSetSpec(spec: PromptSetSpec): ResolvedPromptSetSpec {
  if (spec === null || typeof spec !== 'object') throw new InvalidOptionError('variant', 'a prompt set spec must be an object with a variant.', spec);
  if (!PROMPT_VARIANT_IDS.includes(spec.variant)) {
    throw new InvalidOptionError('variant', `must be one of ${PROMPT_VARIANT_IDS.join(', ')}, got ${JSON.stringify(spec.variant)}.`, spec.variant);
  }
  if (spec.variant === 'basic') return { variant: 'basic', retrieved: 0, kept: 0 };
  const retrieved = checkInteger('retrieved', spec.retrieved ?? DEFAULT_RETRIEVED, 1);
  const kept = checkInteger('kept', spec.kept ?? DEFAULT_KEPT, 1);
  if (kept > retrieved) throw new InvalidOptionError('kept', `K_s (${kept}) must not exceed K_e (${retrieved}): only the K_e retrieved users can be kept.`, kept);
  return { variant: spec.variant, retrieved, kept };
}

/** The folder name of a prompt set: `basic`, or `<variant>-k<K_e>-s<K_s>` (e.g. `score-k10-s2`). */
export function promptSetName(spec: PromptSetSpec): string {
  const resolved = resolvePromptSetSpec(spec);
  return resolved.variant === 'basic' ? 'basic' : `${resolved.variant}-k${resolved.retrieved}-s${resolved.kept}`;
}

/** Options of {@link evaluationPromptSets}. */
export interface EvaluationPromptSetsOptions {
  /**
   * K_e of the main comparison.
   * @defaultValue 10
   */
  readonly retrieved?: number;
  /**
   * K_s of the main comparison.
   * @defaultValue 2
   */
  readonly kept?: number;
  /**
   * K_e values of the sweep (full SCoRe at K_s = `kept`; values below `kept` are skipped).
   * @defaultValue [5, 10, 15, 20]
   */
  readonly retrievedSweep?: readonly number[];
  /**
   * K_s values of the sweep (full SCoRe at K_e = `retrieved`; values above it are skipped).
   * @defaultValue [1, 2, 3, 4]
   */
  readonly keptSweep?: readonly number[];
}

/**
 * Every prompt set the evaluation needs, without duplicates: `basic`, then `cf`, `base`, `car` and
 * `score` at (K_e, K_s), then `score` over the K_e sweep and the K_s sweep (method.md, Fig. 3-4).
 */
export function evaluationPromptSets(options: EvaluationPromptSetsOptions = {}): ResolvedPromptSetSpec[] {
  const retrieved = options.retrieved ?? DEFAULT_RETRIEVED;
  const kept = options.kept ?? DEFAULT_KEPT;
  const specs: ResolvedPromptSetSpec[] = [resolvePromptSetSpec({ variant: 'basic' })];
  for (const variant of ['cf', 'base', 'car', 'score'] as const) specs.push(resolvePromptSetSpec({ variant, retrieved, kept }));
  (options.retrievedSweep ?? [5, 10, 15, 20]).forEach((value, i) => {
    checkInteger(`retrievedSweep[${i}]`, value, 1);
    if (value >= kept) specs.push(resolvePromptSetSpec({ variant: 'score', retrieved: value, kept }));
  });
  (options.keptSweep ?? [1, 2, 3, 4]).forEach((value, i) => {
    checkInteger(`keptSweep[${i}]`, value, 1);
    if (value <= retrieved) specs.push(resolvePromptSetSpec({ variant: 'score', retrieved, kept: value }));
  });
  const seen = new Set<string>();
  return specs.filter((spec) => {
    const name = promptSetName(spec);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}
