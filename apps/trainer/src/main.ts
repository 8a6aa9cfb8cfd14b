import { ScoreError } from '@score/core';
import { CommanderError } from 'commander';
import { createProgram } from './program';

/** Runs `score-train` with the process arguments; errors become one clear line and an exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = createProgram().exitOverride();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ScoreError) {
      process.stderr.write(`score-train: ${error.message}\n`);
      return error.code === 'INVALID_OPTION' ? 2 : 1;
    }
    throw error;
  }
}

process.exitCode = await main();
