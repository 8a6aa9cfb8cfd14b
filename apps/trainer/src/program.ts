import { Command, InvalidArgumentError, Option } from 'commander';
import { type CommandContextOptions, createCommandContext, type GlobalFlags } from './cli/command-context';
import { registerDemoCommand } from './commands/demo';
import { registerExportCommand } from './commands/export';
import { registerModelsCommand } from './commands/models';
import { registerPrepareCommand } from './commands/prepare';
import { registerReportCommand } from './commands/report';
import { registerConfigCommand } from './config/config-command';
import { registerRunCommand } from './pipeline/run-command';
import { registerStageCommands } from './stages/stage-commands';
import { trainerStageRegistry } from './stages/registry';

/** Parses a positive integer flag value, or fails with the flag's name. */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}".`);
    return parsed;
  };
}

/** Parses a non-negative integer flag value. */
export function nonNegativeInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}".`);
    return parsed;
  };
}

/** A function every command uses to get its context (output, logger, progress) from the flags. */
export type ContextFactory = (flags: GlobalFlags) => ReturnType<typeof createCommandContext>;

/**
 * Builds the `score-train` command line. `overrides` lets tests capture output and progress.
 */
export function createProgram(overrides: CommandContextOptions = {}): Command {
  const program = new Command('score-train')
    .description('Train SCoRe: prepare data, then train the CRM, CAR, self-assessment, SARE and the recommender LM.')
    .showHelpAfterError()
    .addOption(new Option('--log-level <level>', 'log level of the JSON logs on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']))
    .addOption(new Option('--log-format <format>', 'stderr logs as readable lines or pino JSON lines').choices(['pretty', 'json']));
  const contextFor: ContextFactory = (flags) => createCommandContext({ ...program.opts<GlobalFlags>(), ...flags }, overrides);
  registerPrepareCommand(program, contextFor);
  registerStageCommands(program, contextFor);
  registerRunCommand(program, contextFor, trainerStageRegistry);
  registerDemoCommand(program, contextFor, trainerStageRegistry);
  registerReportCommand(program, contextFor);
  registerConfigCommand(program, contextFor);
  registerModelsCommand(program, contextFor);
  registerExportCommand(program, contextFor);
  return program;
}
