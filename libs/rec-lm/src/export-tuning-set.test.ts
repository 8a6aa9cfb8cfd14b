import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { exportTuningSet } from './export-tuning-set';

describe('exportTuningSet', () => {
  const examples = [
    { prompt: 'The user has highly rated the following movies: Heat. ... titled Ronin. Respond with either \'Yes\' or \'No\'.', label: 1 as const },
    { prompt: 'Second prompt', label: 0 as const },
  ];

  it('writes TRL prompt-completion chat lines with the label', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-jsonl-'));
    const file = path.join(dir, 'train.jsonl');
    expect(exportTuningSet(file, examples)).toBe(2);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines[0]).toEqual({ prompt: [{ role: 'user', content: examples[0]!.prompt }], completion: [{ role: 'assistant', content: 'Yes' }], label: 1 });
    expect(lines[1]).toEqual({ prompt: [{ role: 'user', content: 'Second prompt' }], completion: [{ role: 'assistant', content: 'No' }], label: 0 });
    expect(fs.readdirSync(dir)).toEqual(['train.jsonl']);
  });

  it('writes the messages form with a system message', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-jsonl-'));
    const file = path.join(dir, 'train.jsonl');
    exportTuningSet(file, examples.slice(1), { format: 'messages', system: 'You are a recommender.' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      messages: [
        { role: 'system', content: 'You are a recommender.' },
        { role: 'user', content: 'Second prompt' },
        { role: 'assistant', content: 'No' },
      ],
      label: 0,
    });
  });

  it('rejects a bad label and an unknown format', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-jsonl-')), 'x.jsonl');
    expect(() => exportTuningSet(file, [{ prompt: 'p', label: 2 as unknown as 0 }])).toThrow(InvalidOptionError);
    expect(() => exportTuningSet(file, examples, { format: 'alpaca' as unknown as 'messages' })).toThrow(/"prompt-completion" or "messages"/);
  });
});
