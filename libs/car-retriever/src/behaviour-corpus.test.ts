import { InvalidOptionError, UnknownIdError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { buildBehaviourCorpus, describeBehaviour } from './behaviour-corpus';
import { createTinyDataset, type TinyInteraction } from './test-fixtures/tiny-dataset';

const interactions: TinyInteraction[] = [
  { userId: 'alice', itemId: 'i1', timestamp: 10, label: 1 },
  { userId: 'alice', itemId: 'i5', timestamp: 15, label: 0 },
  { userId: 'alice', itemId: 'i2', timestamp: 20, label: 1 },
  { userId: 'alice', itemId: 'i3', timestamp: 35, label: 1 },
  { userId: 'alice', itemId: 'i4', timestamp: 50, label: 1 },
  { userId: 'bob', itemId: 'i6', timestamp: 5, label: 1 },
  { userId: 'bob', itemId: 'i7', timestamp: 25, label: 1 },
  { userId: 'bob', itemId: 'i8', timestamp: 45, label: 1 },
  { userId: 'carol', itemId: 'i9', timestamp: 30, label: 1 },
  { userId: 'carol', itemId: 'i10', timestamp: 41, label: 1 },
  { userId: 'dave', itemId: 'i11', timestamp: 60, label: 1 },
];
const dataset = createTinyDataset({
  items: ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9', 'i10', 'i11'],
  interactions,
  validStart: 41,
  testStart: 55,
});

const summary = (entries: ReturnType<typeof buildBehaviourCorpus>['entries']) =>
  entries.map((e) => [e.userId, e.itemIds.join(' '), e.asOf, e.supersededAt ?? null]);

describe('buildBehaviourCorpus', () => {
  it('by default makes one entry per user from training interactions, taken at the start of valid', () => {
    const corpus = buildBehaviourCorpus(dataset);
    expect(corpus.boundaries).toEqual([41]);
    expect(summary(corpus.entries)).toEqual([
      ['alice', 'i1 i2 i3', 35, null],
      ['bob', 'i6 i7', 25, null],
      ['carol', 'i9', 30, null],
    ]);
    expect(corpus.entries[0].text).toBe('"Title i1", "Title i2", "Title i3"');
    expect(corpus.entries.every((e) => e.takenAt === 41)).toBe(true);
    expect(corpus.userCount).toBe(3);
  });

  it('takes interval snapshots, skipping unchanged ones, and chains them with supersededAt', () => {
    const corpus = buildBehaviourCorpus(dataset, { snapshots: { everySeconds: 10 } });
    expect(corpus.boundaries).toEqual([15, 25, 35, 41]);
    expect(summary(corpus.entries)).toEqual([
      ['alice', 'i1', 10, 20],
      ['alice', 'i1 i2', 20, 35],
      ['alice', 'i1 i2 i3', 35, null],
      ['bob', 'i6', 5, 25],
      ['bob', 'i6 i7', 25, null],
      ['carol', 'i9', 30, null],
    ]);
    expect(corpus.visibleEntry('alice', 20)?.itemIds).toEqual(['i1']);
    expect(corpus.visibleEntry('alice', 21)?.itemIds).toEqual(['i1', 'i2']);
    expect(corpus.visibleEntry('alice', 10)).toBeUndefined();
    expect(corpus.visibleEntry('nobody', 100)).toBeUndefined();
  });

  it('keeps only the most recent maxItems items and describes with the given function', () => {
    const corpus = buildBehaviourCorpus(dataset, {
      snapshots: [1000],
      maxItems: 2,
      describe: (items) => items.map((item) => item.id.toUpperCase()).join('|'),
    });
    expect(summary(corpus.entries)).toEqual([
      ['alice', 'i3 i4', 50, null],
      ['bob', 'i7 i8', 45, null],
      ['carol', 'i9 i10', 41, null],
      ['dave', 'i11', 60, null],
    ]);
    expect(corpus.entries[0].text).toBe('I3|I4');
    expect(corpus.describe(['i1', 'i2', 'i6'])).toBe('I2|I6');
    expect(() => corpus.describe(['nope'])).toThrow(UnknownIdError);
  });

  it('never puts an interaction at or after the boundary into an entry (the leakage rule)', () => {
    const corpus = buildBehaviourCorpus(dataset, { snapshots: [5, 10, 11, 20, 25.5, 41, 50, 61] });
    for (const entry of corpus.entries) {
      const times = dataset.positiveTimes(entry.userId);
      const liked = dataset.positives(entry.userId);
      for (const itemId of entry.itemIds) {
        const time = times[liked.indexOf(itemId)];
        expect(time).toBeLessThan(entry.takenAt);
        expect(time).toBeLessThanOrEqual(entry.asOf);
      }
      if (entry.supersededAt !== undefined) expect(entry.supersededAt).toBeGreaterThan(entry.asOf);
    }
    expect(corpus.entries).toHaveLength(10);
    expect(describeBehaviour([])).toBe('');
  });

  it('validates its options', () => {
    expect(() => buildBehaviourCorpus(dataset, { maxItems: 0 })).toThrow(InvalidOptionError);
    expect(() => buildBehaviourCorpus(dataset, { snapshots: [] })).toThrow('Invalid "snapshots": must list at least one boundary time.');
    expect(() => buildBehaviourCorpus(dataset, { snapshots: [Number.NaN] })).toThrow(/"snapshots\[0\]"/);
    expect(() => buildBehaviourCorpus(dataset, { snapshots: { everySeconds: 0 } })).toThrow(/"snapshots.everySeconds"/);
  });

  it('reports items missing from the items table', () => {
    const broken = createTinyDataset({ items: ['i1'], interactions: [{ userId: 'u', itemId: 'ghost', timestamp: 1, label: 1 }], validStart: 10, testStart: 20 });
    expect(() => buildBehaviourCorpus(broken)).toThrow('1 unknown item id in the positives of dataset "tiny": "ghost".');
  });
});
