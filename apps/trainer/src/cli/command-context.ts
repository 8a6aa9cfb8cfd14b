import type { Logger, ProgressCallback } from '@score/core';
import { createCliLogger, type LogFormat, type LogLevel } from './logger';
import { type CommandOutput, stdoutOutput } from './output';
import { createProgressRenderer } from './progress-renderer';

/** Global flags every command understands. */
export interface GlobalFlags {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
}

/** What a command needs from its surroundings: output, logs, progress. Tests inject their own. */
export interface CommandContext {
  readonly output: CommandOutput;
  readonly logger: Logger;
  readonly onProgress: ProgressCallback;
  readonly json: boolean;
  /** Stops progress bars; call when the command ends. */
  close(): void;
}

/** Options of {@link createCommandContext}. */
export interface CommandContextOptions {
  readonly output?: CommandOutput;
  readonly logger?: Logger;
  readonly onProgress?: ProgressCallback;
}

/** Builds the context of one command run from its flags; `--json` silences bars and logs below warn. */
export function createCommandContext(flags: GlobalFlags, overrides: CommandContextOptions = {}): CommandContext {
  const json = Boolean(flags.json);
  const quiet = Boolean(flags.quiet) || json;
  const renderer = overrides.onProgress ? undefined : createProgressRenderer({ silent: quiet });
  return {
    output: overrides.output ?? stdoutOutput,
    logger: overrides.logger ?? createCliLogger(flags.logLevel ?? (quiet ? 'warn' : 'info'), flags.logFormat ?? 'pretty'),
    onProgress: overrides.onProgress ?? renderer!,
    json,
    close: () => renderer?.stop(),
  };
}

/** A function every command uses to get its context (output, logger, progress) from the flags. */
export type ContextFactory = (flags: GlobalFlags) => CommandContext;

/**
 * Runs a command's work with the context of its flags and closes the context (stops the progress
 * bars) however the work ends: the body of every command's action.
 */
export async function withCommandContext<T>(contextFor: ContextFactory, flags: GlobalFlags, work: (context: CommandContext) => T | Promise<T>): Promise<T> {
  const context = contextFor(flags);
  try {
    return await work(context);
  } finally {
    context.close();
  }
}
