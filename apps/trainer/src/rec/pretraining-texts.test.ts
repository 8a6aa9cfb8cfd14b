import { generateSyntheticDataset } from '@score/data';
import { basicPrompt, ciPrompt } from '@score/prompt-kit';
import { trainTokenizer } from '@score/text-encoders';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@score/core';
import { itemKnowledgeTexts, pretrainingCorpus, pretrainingTexts, titleTokens } from './pretraining-texts';
import { templateTokens } from './template-tokens';

describe('the from-scratch LM corpus and vocabulary', () => {
  it('pretrainingTexts: each user\'s liked train titles in time order, nothing from valid or test', async () => {
    const dataset = await generateSyntheticDataset({ users: 30, items: 60, seed: 3 });
    const texts = pretrainingTexts(dataset);
    const trainTitles = new Set(dataset.split('train').filter((row) => row.label === 1).map((row) => `"${dataset.items.get(row.itemId)!.title.replaceAll('"', "'")}"`));
    const later = dataset.split('valid').concat(dataset.split('test')).filter((row) => row.label === 1);
    expect(texts.length).toBeGreaterThan(10);
    for (const text of texts) for (const entry of text.match(/"[^"]*"/g)!) expect(trainTitles.has(entry)).toBe(true);
    const user = dataset.split('train').find((row) => row.label === 1)!.userId;
    const liked = dataset.split('train').filter((row) => row.userId === user && row.label === 1).sort((a, b) => a.timestamp - b.timestamp || a.index - b.index);
    if (liked.length >= 2) expect(texts).toContain(liked.map((row) => `"${dataset.items.get(row.itemId)!.title}"`).join(', '));
    expect(later.length).toBeGreaterThan(0);
  });

  it('templateTokens and titleTokens make the answer position follow the target title directly', async () => {
    const dataset = await generateSyntheticDataset({ users: 20, items: 40, seed: 4 });
    const pieces = templateTokens(dataset.domain);
    expect(pieces).toContain(`". Respond with either 'Yes' or 'No'.`);
    expect(pieces).toContain('", "');
    const items = [...dataset.items.values()];
    const tokenizer = trainTokenizer({ texts: ['a b c Yes No'], vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens: [...pieces, ...titleTokens(dataset)] });
    const target = items[0]!;
    const basic = basicPrompt({ domain: dataset.domain, history: items.slice(1, 4), target });
    const ids = tokenizer.encode(basic, { addSpecialTokens: false }).ids;
    // 1 opening piece + 3 titles + 2 separators + 1 middle piece + the target + the closing piece.
    expect(ids).toHaveLength(9);
    expect(ids.at(-2)).toBe(tokenizer.tokenToId(target.title));
    expect(ids.at(-1)).toBe(tokenizer.tokenToId(`". Respond with either 'Yes' or 'No'.`));
    expect(tokenizer.decode(ids)).toBe(basic);
    const ci = ciPrompt({ domain: dataset.domain, history: items.slice(1, 3), target, similarBehaviours: [items.slice(5, 7), items.slice(8, 9)] });
    expect(tokenizer.decode(tokenizer.encode(ci, { addSpecialTokens: false }).ids)).toBe(ci);
    expect(tokenizer.encode(ci, { addSpecialTokens: false }).ids.at(-2)).toBe(tokenizer.tokenToId(target.title));
  });

  it('itemKnowledgeTexts: one text per item with genres, the genres on both sides of the title as prompts spell it', async () => {
    const dataset = await generateSyntheticDataset({ users: 10, items: 30, seed: 5 });
    const texts = itemKnowledgeTexts(dataset);
    const items = [...dataset.items.values()];
    expect(texts).toHaveLength(items.length);
    const first = items[0]!;
    const genres = (first.attributes!['genres'] as string[]).join(', ');
    expect(texts[0]).toBe(`${genres}: "${first.title}" is ${genres}.`);
    // Items without genres give no text; a quote inside a title is written as in prompts.
    const bare = { ...dataset, items: new Map([['a', { id: 'a', title: 'No "Genre" Film' }], ['b', { id: 'b', title: 'B', attributes: { genres: ['Drama', 'War'] } }]]) };
    expect(itemKnowledgeTexts(bare as never)).toEqual(['Drama, War: "B" is Drama, War.']);
    const quoted = { ...dataset, items: new Map([['q', { id: 'q', title: 'Say "Hi"', attributes: { genres: 'Comedy' } }]]) };
    expect(itemKnowledgeTexts(quoted as never)).toEqual([`Comedy: "Say 'Hi'" is Comedy.`]);
  });

  it('pretrainingCorpus: behaviour texts with the last 5% held out, item texts only, or a clear error when empty', async () => {
    const dataset = await generateSyntheticDataset({ users: 40, items: 60, seed: 5 });
    const behaviour = pretrainingTexts(dataset);
    const items = itemKnowledgeTexts(dataset);
    const held = Math.max(1, Math.floor(behaviour.length * 0.05));
    const both = pretrainingCorpus(dataset, { behaviour: true, items: true });
    expect(both.texts).toEqual([...items, ...behaviour.slice(0, behaviour.length - held)]);
    expect(both.validTexts).toEqual(behaviour.slice(behaviour.length - held));
    expect([both.behaviourTexts, both.itemTexts]).toEqual([behaviour.length, items.length]);
    // Item texts only: no interaction reaches the base LM; every item text is trained on and watched.
    const itemsOnly = pretrainingCorpus(dataset, { behaviour: false, items: true });
    expect(itemsOnly.texts).toEqual(items);
    expect(itemsOnly.validTexts).toEqual(items);
    expect(itemsOnly.behaviourTexts).toBe(0);
    expect(pretrainingCorpus(dataset, { behaviour: true, items: false }).texts).toEqual(behaviour.slice(0, behaviour.length - held));
    let error: unknown;
    try {
      pretrainingCorpus(dataset, { behaviour: false, items: false });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).field).toBe('rec.pretrainBehaviourTexts');
    expect((error as Error).message).toMatch(/pretraining corpus would be empty .* set one of them to true, or rec\.pretrainEpochs to 0/);
  });
});
