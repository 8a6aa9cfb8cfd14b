import { ScoreError } from '@score/core';
import { CommanderError } from 'commander';
import { createInferProgram } from './infer-program';

/** Runs `score-infer`; errors become one line on stderr and an exit code. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    await createInferProgram().exitOverride().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ScoreError) {
      process.stderr.write(`score-infer: ${error.message}\n`);
      return error.code === 'INVALID_OPTION' ? 2 : error.code === 'UNKNOWN_ID' ? 3 : 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
