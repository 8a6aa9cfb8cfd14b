import { Command } from 'commander';
import { InvalidOptionError } from '@score/core';
import { integerFlag, llmOverridesFromFlags, type ServiceFlags } from './cli-options';
import type { RunComponentLoaders } from './run-components';
import { createRunScoringService } from './run-scoring-service';
import { parseRankRequest, parseScoreRequest } from './schemas';

/** Flags of `score-infer score`. */
export interface InferScoreFlags extends ServiceFlags {
  /** `--user`: the target user (or give `history`). @defaultValue none */
  readonly user?: string;
  /** `--history`: comma-separated item ids, oldest first, instead of `user`. @defaultValue none */
  readonly history?: string;
  /** `--item`: the target item. */
  readonly item: string;
}

/** Flags of `score-infer rank`. */
export interface InferRankFlags extends ServiceFlags {
  /** `--user`: the user (or give `history`). @defaultValue none */
  readonly user?: string;
  /** `--history`: comma-separated item ids, oldest first, instead of `user`. @defaultValue none */
  readonly history?: string;
  /** `--items`: comma-separated candidate item ids (up to 500). */
  readonly items: string;
  /** `--top-k`: how many of the best candidates to print. @defaultValue every candidate */
  readonly topK?: number;
}

const idList = (text: string) => text.split(',').map((id) => id.trim()).filter((id) => id.length > 0);

/** The flags `score` and `rank` share: the run, the user (by id or history), K_s and the LM. */
function withSharedFlags(command: Command, userDescription: string): Command {
  return command
    .requiredOption('--run <dir>', 'run folder written by score-train')
    .option('--user <id>', `${userDescription} (or give --history)`)
    .option('--history <ids>', 'comma-separated item ids, oldest first, instead of --user')
    .option('--ks <n>', 'similar users in the prompt (K_s)', integerFlag('--ks', 1, 10))
    .option('--llm <spec>', 'language model: inprocess, llamacpp:PATH[#LORA], llamacpp:model:NAME (a registry model, pulled on first use) or openai:URL#MODEL', 'inprocess')
    .option('--llm-threads <n>', 'llama.cpp CPU threads (0 = all cores)', integerFlag('--llm-threads', 0))
    .option('--llm-context <n>', 'llama.cpp context size in tokens', integerFlag('--llm-context', 16));
}

/** The request's user part: exactly one of `--user` and `--history`. */
function userOfFlags(flags: { readonly user?: string; readonly history?: string }): { userId: string } | { history: string[] } {
  if ((flags.user === undefined) === (flags.history === undefined)) {
    throw new InvalidOptionError('--user', 'give exactly one of --user and --history.');
  }
  return flags.user !== undefined ? { userId: flags.user } : { history: idList(flags.history!) };
}

/** Overrides of {@link createInferProgram}. */
export interface InferProgramOptions {
  /** Where the JSON result goes. @defaultValue process.stdout */
  readonly write?: (text: string) => void;
  /** Stage loaders (see `loadRunComponents`). @defaultValue DEFAULT_RUN_COMPONENT_LOADERS */
  readonly loaders?: RunComponentLoaders;
}

/**
 * The `score-infer` command line: `score-infer score --run DIR --user U --item I` prints
 * `/v1/score`'s JSON; `score-infer rank --run DIR --user U --items A,B,C [--top-k K]` prints `/v1/rank`'s.
 */
export function createInferProgram(options: InferProgramOptions = {}): Command {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const program = new Command('score-infer').description('Score (user, item) pairs of a trained run without a server.').showHelpAfterError();
  withSharedFlags(program.command('score').description('Print the JSON that POST /v1/score returns for one pair.'), 'target user id')
    .requiredOption('--item <id>', 'target item id')
    .action(async (flags: InferScoreFlags) => {
      const request = parseScoreRequest({ ...userOfFlags(flags), itemId: flags.item, ...(flags.ks === undefined ? {} : { ks: flags.ks }) });
      const service = await createRunScoringService({
        runDir: flags.run,
        llm: flags.llm,
        loaders: options.loaders,
        llmOverrides: llmOverridesFromFlags(flags),
        batching: { windowMs: 0 },
      });
      try {
        write(`${JSON.stringify(await service.score(request))}\n`);
      } finally {
        await service.dispose();
      }
    });
  withSharedFlags(program.command('rank').description('Print the JSON that POST /v1/rank returns: candidates by P(yes) for one user.'), 'the user id')
    .requiredOption('--items <ids>', 'comma-separated candidate item ids (up to 500)')
    .option('--top-k <n>', 'print only the best n candidates', integerFlag('--top-k', 1, 500))
    .action(async (flags: InferRankFlags) => {
      const request = parseRankRequest({
        ...userOfFlags(flags),
        itemIds: idList(flags.items),
        ...(flags.topK === undefined ? {} : { topK: flags.topK }),
        ...(flags.ks === undefined ? {} : { ks: flags.ks }),
      });
      const service = await createRunScoringService({
        runDir: flags.run,
        llm: flags.llm,
        loaders: options.loaders,
        llmOverrides: llmOverridesFromFlags(flags),
      });
      try {
        write(`${JSON.stringify(await service.rank(request))}\n`);
      } finally {
        await service.dispose();
      }
    });
  return program;
}
