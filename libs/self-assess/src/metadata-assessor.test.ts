import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { assessmentPairId, type AssessmentPair } from './assessment';
import { createMetadataAssessor } from './metadata-assessor';
import { makeTinyDataset } from './test-fixtures/tiny-dataset';

describe('createMetadataAssessor', () => {
  it('names the target genres and the items most co-liked with it in the train split', async () => {
    const dataset = await makeTinyDataset();
    const assessor = createMetadataAssessor({ dataset });
    // Users a, b and c liked "Aliens" (5) in train: a also liked 1 and 2, b 2 and 3, c 6 and 1.
    expect(assessor.coLikedItems('5')).toEqual([
      { itemId: '1', users: 2 },
      { itemId: '2', users: 2 },
      { itemId: '3', users: 1 },
      { itemId: '6', users: 1 },
    ]);
    const item = (id: string) => dataset.items.get(id)!;
    const pair: AssessmentPair = {
      id: assessmentPairId('d', '5', 1140),
      rowIndex: 14,
      userId: 'd',
      itemId: '5',
      label: 0,
      timestamp: 1140,
      history: [item('4'), item('3')],
      target: item('5'),
    };
    const assessment = await assessor.assess(pair);
    expect(assessment).toEqual({
      source: 'metadata',
      text: 'Knowing whether the user enjoys Action and Sci-Fi movies such as "Alien (1979)", "Heat (1995)" and "Casino (1995)" would help predict whether they would enjoy "Aliens (1986)".',
    });
    const short = createMetadataAssessor({ dataset, maxCoLikedItems: 1, maxAttributeValues: 1 });
    expect((await short.assess(pair)).text).toBe('Knowing whether the user enjoys Action movies such as "Alien (1979)" would help predict whether they would enjoy "Aliens (1986)".');
  });

  it('counts only likes from before the pair\'s time: no later co-likes, not the target user\'s own future likes', async () => {
    const dataset = await makeTinyDataset();
    const assessor = createMetadataAssessor({ dataset });
    const item = (id: string) => dataset.items.get(id)!;
    // b liked "Aliens" (5) at 1050. Before then only a had liked it (at 1010), and a had liked 1
    // (1000) and 2 (1020). c's likes (1090-1110) and b's own later like of 3 (1070) are the future.
    expect(assessor.coLikedItems('5', 1050)).toEqual([
      { itemId: '1', users: 1 },
      { itemId: '2', users: 1 },
    ]);
    expect(assessor.coLikedItems('5', 1010)).toEqual([]);
    const pair: AssessmentPair = { id: assessmentPairId('b', '5', 1050), rowIndex: 5, userId: 'b', itemId: '5', label: 1, timestamp: 1050, history: [], target: item('5') };
    expect((await assessor.assess(pair)).text).toBe('Knowing whether the user enjoys Action and Sci-Fi movies such as "Alien (1979)" and "Heat (1995)" would help predict whether they would enjoy "Aliens (1986)".');
    const first: AssessmentPair = { id: assessmentPairId('a', '5', 1010), rowIndex: 1, userId: 'a', itemId: '5', label: 1, timestamp: 1010, history: [item('1')], target: item('5') };
    expect((await assessor.assess(first)).text).toBe('Knowing whether the user enjoys Action and Sci-Fi movies would help predict whether they would enjoy "Aliens (1986)".');
    expect(() => assessor.coLikedItems('5', Number.NaN)).toThrow(/"before"/);
  });

  it('falls back to plain words when the target has no genres or co-likes, and validates options', async () => {
    const dataset = await makeTinyDataset();
    const assessor = createMetadataAssessor({ dataset, attributes: ['missing'] });
    const lonely = { id: 'x', title: 'Nobody Saw This (2000)', attributes: {} };
    const pair: AssessmentPair = { id: 'u:x@1', rowIndex: 0, userId: 'u', itemId: 'x', label: 1, timestamp: 1, history: [], target: lonely };
    expect((await assessor.assess(pair)).text).toBe('Knowing whether the user enjoys movies like this one would help predict whether they would enjoy "Nobody Saw This (2000)".');
    expect(() => createMetadataAssessor({ dataset, maxCoLikedItems: -1 })).toThrow(InvalidOptionError);
    expect(() => createMetadataAssessor({ dataset: {} as never })).toThrow(/"dataset"/);
  });
});
