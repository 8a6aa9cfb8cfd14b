import { Command, Option } from 'commander';
import { type CommandContextOptions, type ContextFactory, createCommandContext, type GlobalFlags } from './cli/command-context';
import { registerDemoCommand } from './commands/demo';
import { registerExportCommand } from './commands/export';
import { registerModelsCommand } from './commands/models';
import { registerPrepareCommand } from './commands/prepare';
import { registerReportCommand } from './commands/report';
import { registerConfigCommand } from './commands/config';
import { registerRunCommand } from './commands/run';
import { registerStageCommands } from './commands/stage-commands';
import { trainerStageRegistry } from './stages/registry';

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
  registerPrepareCommand(program, contextFor, trainerStageRegistry);
  registerStageCommands(program, contextFor, trainerStageRegistry);
  registerRunCommand(program, contextFor, trainerStageRegistry);
  registerDemoCommand(program, contextFor, trainerStageRegistry);
  registerReportCommand(program, contextFor);
  registerConfigCommand(program, contextFor);
  registerModelsCommand(program, contextFor);
  registerExportCommand(program, contextFor);
  return program;
}
