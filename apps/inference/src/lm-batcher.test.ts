import { InvalidOptionError, LanguageModelError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { LmBatcher } from './lm-batcher';
import { RecordingModel } from './test-fixtures/recording-model';

describe('LmBatcher', () => {
  it('sends concurrent prompts in fewer scoreYesNo calls and routes each score to its caller', async () => {
    const model = new RecordingModel();
    const batcher = new LmBatcher(model, { maxBatchSize: 4, windowMs: 5 });
    const prompts = Array.from({ length: 10 }, (_, index) => 'p'.repeat(index + 1));
    const scores = await Promise.all(prompts.map((prompt) => batcher.score(prompt)));
    expect(scores).toEqual(prompts.map((prompt) => RecordingModel.expected(prompt)));
    expect(model.calls.map((call) => call.length)).toEqual([4, 4, 2]);
    expect(model.calls.flat()).toEqual(prompts);
    expect(batcher.stats).toEqual({ calls: 3, prompts: 10 });
  });

  it('gathers prompts that arrive while a batch is in flight into the next batch', async () => {
    const model = new RecordingModel();
    let open!: () => void;
    model.gate = new Promise((resolve) => (open = resolve));
    const batcher = new LmBatcher(model, { maxBatchSize: 16, windowMs: 0 });
    const first = batcher.score('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = ['bb', 'ccc', 'dddd'].map((prompt) => batcher.score(prompt));
    expect(model.calls).toEqual([['a']]);
    model.gate = undefined;
    open();
    const scores = await Promise.all([first, ...rest]);
    expect(model.calls).toEqual([['a'], ['bb', 'ccc', 'dddd']]);
    expect(scores.map((score) => score.yesLogit)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('gives an error only to the caller whose prompt fails', async () => {
    const model = new RecordingModel();
    const batcher = new LmBatcher(model, { maxBatchSize: 8, windowMs: 5 });
    const outcomes = await Promise.allSettled(['ok one', 'please fail', 'ok two'].map((prompt) => batcher.score(prompt)));
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: RecordingModel.expected('ok one') });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: RecordingModel.expected('ok two') });
    expect(outcomes[1].status).toBe('rejected');
    const reason = (outcomes[1] as PromiseRejectedResult).reason as LanguageModelError;
    expect(reason).toBeInstanceOf(LanguageModelError);
    expect(reason.message).toContain('please fail');
    // One failed batch call, then each prompt alone.
    expect(model.calls).toEqual([['ok one', 'please fail', 'ok two'], ['ok one'], ['please fail'], ['ok two']]);
  });

  it('drops a caller whose signal aborts before its batch is sent', async () => {
    const model = new RecordingModel();
    const batcher = new LmBatcher(model, { windowMs: 20 });
    const controller = new AbortController();
    const aborted = batcher.score('gone', controller.signal);
    const kept = batcher.score('kept');
    controller.abort(new Error('timed out'));
    await expect(aborted).rejects.toThrow('timed out');
    await expect(kept).resolves.toEqual(RecordingModel.expected('kept'));
    expect(model.calls).toEqual([['kept']]);
    await expect(batcher.score('late', controller.signal)).rejects.toThrow('timed out');
  });

  it('validates its options', () => {
    const model = new RecordingModel();
    expect(() => new LmBatcher(model, { maxBatchSize: 0 })).toThrow(InvalidOptionError);
    expect(() => new LmBatcher(model, { windowMs: -1 })).toThrow(/windowMs/);
    expect(() => new LmBatcher(model, { maxConcurrentBatches: 0 })).toThrow(/maxConcurrentBatches/);
  });
});
