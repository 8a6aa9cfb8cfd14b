import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset, loadDataset, saveDataset } from '@score/data';
import { describe, expect, it } from 'vitest';
import * as library from './index';
import { writeNeighboursFile } from './neighbours-file';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

/**
 * Runs the `typescript` example of the README's "Fine-tuning CAR" section against this package's
 * sources, in a run folder with a small synthetic dataset and item-set neighbours, and checks every
 * `console.log(...); // expected` line.
 */
describe('README "Fine-tuning CAR" example', () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Fine-tuning CAR'));
  const blocks = [...section.matchAll(/```typescript\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('has one example, which prints what its comments say', async () => {
    expect(readme).toContain('## Fine-tuning CAR');
    expect(blocks).toHaveLength(1);
    const code = blocks[0]!;
    const expected = [...code.matchAll(/^console\.log\(.*\); \/\/ (.*)$/gm)].map((match) => match[1]);
    const printed: string[] = [];
    const log = (value: unknown) => printed.push(typeof value === 'string' ? value : JSON.stringify(value));
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-readme-tuning-'));
    try {
      const dataset = await generateSyntheticDataset({ users: 50, items: 100, seed: 11, minInteractionsPerUser: 10, maxInteractionsPerUser: 25 });
      await saveDataset(dataset, path.join(runDir, 'prepare'));
      writeNeighboursFile(path.join(runDir, 'crm', 'neighbours.json'), itemSetNeighbours(dataset, 5));
      const scope = { ...library, loadDataset, path, console: { log }, runDir };
      await new AsyncFunction(...Object.keys(scope), code.replace(/^import .*$/gm, ''))(...Object.values(scope));
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  }, 60_000);
});
