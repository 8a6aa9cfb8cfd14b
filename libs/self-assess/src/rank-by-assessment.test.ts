import { createMatrix, type Float32Matrix, type TextEmbeddingModel } from '@score/core';
import { describe, expect, it } from 'vitest';
import { rankByAssessment } from './rank-by-assessment';

/** A fixed embedder over a known vocabulary of texts. */
function tableEmbedder(table: Record<string, number[]>): TextEmbeddingModel & { calls: number } {
  return {
    modelId: 'table',
    dimensions: 2,
    normalized: false,
    calls: 0,
    async embed(texts: readonly string[]): Promise<Float32Matrix> {
      this.calls += 1;
      return createMatrix(texts.length, 2, Float32Array.from(texts.flatMap((text) => table[text])));
    },
    dispose() {},
  };
}

describe('rankByAssessment (Eq. 8-9)', () => {
  it('orders the candidates by cosine with the assessment, in one embedding call', async () => {
    const embedder = tableEmbedder({ r: [1, 0], a: [0, 3], b: [2, 2], c: [5, 0.5], d: [-1, 0] });
    const ranked = await rankByAssessment({
      assessmentText: 'r',
      candidates: ['a', 'b', 'c', 'd'].map((text) => ({ userId: `u-${text}`, behaviour: text })),
      embedder,
    });
    expect(ranked.map((entry) => entry.userId)).toEqual(['u-c', 'u-b', 'u-a', 'u-d']);
    expect(ranked[0].score).toBeCloseTo(5 / Math.hypot(5, 0.5), 6);
    expect(ranked[1].score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(ranked[2].score).toBeCloseTo(0, 6);
    expect(ranked[3].score).toBeCloseTo(-1, 6);
    expect(embedder.calls).toBe(1);
  });

  it('keeps the given order on ties, returns [] without candidates, and rejects repeated users', async () => {
    const embedder = tableEmbedder({ r: [1, 1], a: [1, 0], b: [0, 1] });
    const ranked = await rankByAssessment({ assessmentText: 'r', candidates: [{ userId: 'x', behaviour: 'b' }, { userId: 'y', behaviour: 'a' }], embedder });
    expect(ranked.map((entry) => entry.userId)).toEqual(['x', 'y']);
    expect(await rankByAssessment({ assessmentText: 'r', candidates: [], embedder })).toEqual([]);
    await expect(rankByAssessment({ assessmentText: 'r', candidates: [{ userId: 'x', behaviour: 'a' }, { userId: 'x', behaviour: 'b' }], embedder })).rejects.toThrow(
      /"candidates\[1\]\.userId"/,
    );
  });
});
