import { ScoreError } from '@score/core';
import { CommanderError } from 'commander';
import { createServeProgram } from './serve-program';

/** Runs `score-serve`; errors before listening become one line on stderr and an exit code. */
async function main(argv: readonly string[]): Promise<void> {
  try {
    await createServeProgram().exitOverride().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof ScoreError) {
      process.stderr.write(`score-serve: ${error.message}\n`);
      process.exitCode = error.code === 'INVALID_OPTION' ? 2 : 1;
      return;
    }
    throw error;
  }
}

await main(process.argv);
