import type { Command } from 'commander';
import { stringify } from 'yaml';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { describeConfig } from '../config/describe-config';
import { loadConfig } from '../config/load-config';

/** Flags of `score-train config`. */
export interface ConfigFlags {
  /** YAML or JSON config file. @defaultValue none: the built-in defaults */
  readonly config?: string;
  /** `key.path=value` overrides (repeatable). @defaultValue [] */
  readonly set?: readonly string[];
  /** Print the Markdown reference of every key instead of a resolved config. @defaultValue false */
  readonly describe?: boolean;
  /** Print JSON (`{ hash, config }`) instead of YAML. @defaultValue false */
  readonly json?: boolean;
}

/**
 * Runs `score-train config`: prints the resolved config (defaults < file < `--set`) as YAML with
 * its hash, or as JSON; with `--describe`, the Markdown table of every key. Returns the printed text.
 */
export function runConfigCommand(flags: ConfigFlags, context: CommandContext): string {
  let text: string;
  if (flags.describe) {
    text = describeConfig();
  } else {
    const loaded = loadConfig({ file: flags.config, overrides: flags.set ?? [] });
    text = context.json
      ? `${JSON.stringify({ hash: loaded.hash, ...(loaded.file ? { file: loaded.file } : {}), config: loaded.config }, null, 2)}\n`
      : `# Resolved from ${loaded.file ?? 'the built-in defaults'}; sha256 ${loaded.hash}\n${stringify(loaded.config)}`;
  }
  context.output.write(text);
  return text;
}

/** Adds `config` to the program. */
export function registerConfigCommand(program: Command, contextFor: ContextFactory): void {
  program
    .command('config')
    .description('Print the resolved run config (built-in defaults < file < --set) and its hash, or the reference of every key.')
    .option('--config <file>', 'YAML or JSON config file')
    .option('--set <key=value>', 'override a config key (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--describe', 'print the Markdown reference of every config key')
    .option('--json', 'print JSON instead of YAML')
    .action(async (flags: ConfigFlags) => {
      await withCommandContext(contextFor, flags, (context) => runConfigCommand(flags, context));
    });
}
