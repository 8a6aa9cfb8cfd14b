import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { evaluationPromptSets, PROMPT_VARIANT_IDS, PROMPT_VARIANTS, promptSetName, resolvePromptSetSpec } from './prompt-variants';

describe('prompt variants', () => {
  it('defines the five variants of the evaluation', () => {
    expect(PROMPT_VARIANT_IDS).toEqual(['basic', 'cf', 'base', 'car', 'score']);
    expect(PROMPT_VARIANT_IDS.map((id) => [PROMPT_VARIANTS[id].template, PROMPT_VARIANTS[id].retriever, PROMPT_VARIANTS[id].rerank])).toEqual([
      ['basic', undefined, false],
      ['ci', 'cf', false],
      ['ci', 'base', false],
      ['ci', 'car', false],
      ['ci', 'car', true],
    ]);
  });

  it('names prompt sets and fills the paper defaults', () => {
    expect(promptSetName({ variant: 'basic', retrieved: 15 })).toBe('basic');
    expect(promptSetName({ variant: 'score' })).toBe('score-k10-s2');
    expect(promptSetName({ variant: 'cf', retrieved: 5, kept: 1 })).toBe('cf-k5-s1');
    expect(resolvePromptSetSpec({ variant: 'car', retrieved: 20 })).toEqual({ variant: 'car', retrieved: 20, kept: 2 });
  });

  it('rejects unknown variants, bad K values and K_s above K_e, naming the field', () => {
    const field = (spec: Parameters<typeof resolvePromptSetSpec>[0]) => {
      try {
        resolvePromptSetSpec(spec);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        return (error as InvalidOptionError).field;
      }
      return undefined;
    };
    expect(field({ variant: 'llm' as never })).toBe('variant');
    expect(field({ variant: 'car', retrieved: 0 })).toBe('retrieved');
    expect(field({ variant: 'car', kept: 1.5 })).toBe('kept');
    expect(field({ variant: 'car', retrieved: 3, kept: 4 })).toBe('kept');
  });

  it('lists the evaluation prompt sets once each: main comparison, then the K_e and K_s sweeps', () => {
    expect(evaluationPromptSets().map(promptSetName)).toEqual([
      'basic',
      'cf-k10-s2',
      'base-k10-s2',
      'car-k10-s2',
      'score-k10-s2',
      'score-k5-s2',
      'score-k15-s2',
      'score-k20-s2',
      'score-k10-s1',
      'score-k10-s3',
      'score-k10-s4',
    ]);
    expect(evaluationPromptSets({ retrieved: 2, kept: 1, retrievedSweep: [1, 2], keptSweep: [1, 3] }).map(promptSetName)).toEqual([
      'basic',
      'cf-k2-s1',
      'base-k2-s1',
      'car-k2-s1',
      'score-k2-s1',
      'score-k1-s1',
    ]);
  });
});
