import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as textEncoders from '@score/text-encoders';
import * as tfjsRuntime from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import * as library from './index';

// Runs the README's first example (train from scratch, then score) against the sources, with the
// sizes scaled down so the test stays fast: 2000/300 prompts -> 120/40, 5 epochs -> 1.
describe('README example', () => {
  it('trains a from-scratch LM and scores a prompt as the README shows', async () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-readme-'));
    const body = code!
      .replace(/^import \{([^}]*)\} from '@score\/rec-lm';$/m, 'const {$1} = library;')
      .replace(/^import \{([^}]*)\} from '@score\/text-encoders';$/m, 'const {$1} = textEncoders;')
      .replace(/^import \{([^}]*)\} from '@score\/tfjs-runtime';$/m, 'const {$1} = tfjsRuntime;')
      .replace('count: 2000', 'count: 120')
      .replace('count: 300', 'count: 40')
      .replace('vocabSize: 3000', 'vocabSize: 400')
      .replace('epochs: 5', 'epochs: 1')
      .replace("'runs/rec-lm'", JSON.stringify(checkpointDir))
      .replace(/!\./g, '.')
      .replace(/!\]/g, ']')
      .replace(/!,/g, ',');
    expect(body).not.toMatch(/from '@score/);
    const printed: unknown[][] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction('library', 'textEncoders', 'tfjsRuntime', 'console', body)(library, textEncoders, tfjsRuntime, { log: (...values: unknown[]) => printed.push(values) });
    expect(printed).toHaveLength(2);
    const [bestValidation, tokensPerSecond] = printed[0] as [number, number];
    expect(bestValidation).toBeGreaterThanOrEqual(0);
    expect(bestValidation).toBeLessThanOrEqual(1);
    expect(tokensPerSecond).toBeGreaterThan(0);
    const [probability, yesLogit, noLogit] = printed[1] as [number, number, number];
    // Eq. 14: P(yes) is the softmax over the Yes and No logits.
    expect(probability).toBeCloseTo(1 / (1 + Math.exp(noLogit - yesLogit)), 6);
    expect(fs.readdirSync(checkpointDir).length).toBeGreaterThan(0);
  });
});
