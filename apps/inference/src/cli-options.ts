import { checkInteger } from '@score/core';
import { InvalidArgumentError } from 'commander';

/**
 * A commander parser for an integer flag in [minimum, maximum]: written digits are checked with
 * @score/core's `checkInteger` (its one wording, naming the flag; other text is quoted as given) and
 * a bad value fails as commander's InvalidArgumentError.
 */
export function integerFlag(name: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    try {
      return checkInteger(name, /^-?\d+$/.test(value.trim()) ? Number(value) : value, minimum, maximum);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** Flags shared by `score-serve` and `score-infer` that build the scoring service. */
export interface ServiceFlags {
  /** `--run`: the run folder. */
  readonly run: string;
  /** `--llm`: the language-model spec. @defaultValue "inprocess" */
  readonly llm: string;
  /** `--ks`: K_s when a request gives none. @defaultValue 2 */
  readonly ks?: number;
  /** `--llm-threads`: llama.cpp CPU threads. @defaultValue llama.cpp's default (every core) */
  readonly llmThreads?: number;
  /** `--llm-sequences`: llama.cpp sequences evaluated in parallel. @defaultValue 1 */
  readonly llmSequences?: number;
  /** `--llm-context`: llama.cpp context size in tokens. @defaultValue the smaller of 2048 and the model's */
  readonly llmContext?: number;
}

/** Backend overrides for `createLanguageModel` from the `--llm-threads`, `--llm-sequences` and `--llm-context` flags. */
export function llmOverridesFromFlags(flags: ServiceFlags) {
  return {
    llamacpp: {
      ...(flags.llmThreads === undefined ? {} : { threads: flags.llmThreads }),
      ...(flags.llmSequences === undefined ? {} : { sequences: flags.llmSequences }),
      ...(flags.llmContext === undefined ? {} : { contextSize: flags.llmContext }),
    },
  };
}
