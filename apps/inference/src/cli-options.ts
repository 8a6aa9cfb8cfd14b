import { InvalidArgumentError } from 'commander';

/** A commander parser for an integer flag in [minimum, maximum]; fails naming the flag. */
export function integerFlag(name: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isInteger(parsed) || parsed < minimum || parsed > maximum) {
      throw new InvalidArgumentError(`${name} must be an integer from ${minimum} to ${maximum}, got "${value}".`);
    }
    return parsed;
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
