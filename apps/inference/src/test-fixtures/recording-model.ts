import { LanguageModelError, type LanguageModel, type YesNoScore } from '@score/core';

/**
 * A small deterministic local LanguageModel for batching and timeout tests: the Yes logit is the
 * prompt's length / 10 and the No logit 1, prompts containing "fail" make the whole call fail,
 * and `gate` (when set) holds every call until it resolves. It records each call's prompts.
 */
export class RecordingModel implements LanguageModel {
  readonly provider = 'recording';
  readonly modelId = 'length-logits';
  readonly calls: string[][] = [];
  gate: Promise<void> | undefined;
  disposed = false;

  static expected(prompt: string): YesNoScore {
    const yesLogit = prompt.length / 10;
    const noLogit = 1;
    return { probability: 1 / (1 + Math.exp(noLogit - yesLogit)), yesLogit, noLogit };
  }

  async generate(): Promise<never> {
    throw new LanguageModelError('generate is not used by the scoring service.', { provider: this.provider });
  }

  async scoreYesNo(prompts: readonly string[]): Promise<YesNoScore[]> {
    this.calls.push([...prompts]);
    if (this.gate) await this.gate;
    const failing = prompts.find((prompt) => prompt.includes('fail'));
    if (failing !== undefined) throw new LanguageModelError(`cannot score "${failing}".`, { provider: this.provider });
    return prompts.map((prompt) => RecordingModel.expected(prompt));
  }

  dispose(): void {
    this.disposed = true;
  }
}
