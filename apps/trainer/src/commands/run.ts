import { ScoreError } from '@score/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { formatTable } from '../cli/output';
import { loadConfig } from '../config/load-config';
import { positiveInteger } from '../cli/flag-parsers';
import { formatBytes } from '../pipeline/artifacts';
import { type PipelineReport, runPipeline } from '../pipeline/run-pipeline';
import { STAGE_NAMES } from '../pipeline/stage';
import type { StageRegistry } from '../pipeline/stage-registry';

/** Flags of `score-train run`. */
export interface RunFlags {
  /** YAML or JSON config file. @defaultValue none: the built-in defaults (the synthetic demo) */
  readonly config?: string;
  /** Redo this stage and every later one. @defaultValue none */
  readonly from?: string;
  /** Run only these stages (repeatable). @defaultValue every stage */
  readonly only?: readonly string[];
  /** `key.path=value` overrides (repeatable), applied over the file. @defaultValue [] */
  readonly set?: readonly string[];
  /** Shorthand for `--set run.dir=DIR`. @defaultValue the config's run.dir */
  readonly runDir?: string;
  /** How finished stages' artifacts are checked before skipping them. @defaultValue "size" */
  readonly verify?: 'size' | 'hash';
  /**
   * Repeat the seed-dependent stages with N seeds, run.seed .. run.seed + N - 1 (sets `run.seeds`).
   * @defaultValue none: `run.seeds` from the config, else run.seed only
   */
  readonly seeds?: number;
  /** Print the report as JSON. @defaultValue false */
  readonly json?: boolean;
  /** No progress output. @defaultValue false */
  readonly quiet?: boolean;
}

/** What `run` reports: the pipeline report plus the config file that was read. */
export interface RunCommandReport extends PipelineReport {
  /** The config file, when one was given. */
  readonly configFile?: string;
}

/**
 * Runs `score-train run`: resolves the config (defaults < file < `--run-dir` < `--set`), runs the
 * registry's stages in the run folder, and prints one line per stage (or the report as JSON).
 * Ctrl-C aborts the running stage (a second Ctrl-C exits at once); its partial output is discarded and
 * finished stages are kept.
 */
export async function runRunCommand(flags: RunFlags, context: CommandContext, registry: StageRegistry): Promise<RunCommandReport> {
  const result = await executeRun(flags, context, registry);
  if (context.json) {
    context.output.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    context.output.write(formatRunReport(result));
  }
  return result;
}

/** The run report as text: the run folder, config hash and time, then one line per stage. */
export function formatRunReport(report: PipelineReport): string {
  const rows = report.stages.map((stage) => [stage.name, stage.status, stage.seconds, stage.artifacts, formatBytes(stage.bytes), stage.reason]);
  return `Run ${report.runDir} (config ${report.configHash.slice(0, 12)}, ${report.seconds.toFixed(1)} s)\n\n${formatTable(['stage', 'status', 'seconds', 'files', 'size', 'reason'], rows)}`;
}

/**
 * Resolves the config (defaults < file < `values` < `--run-dir` < `--set`) and runs the pipeline
 * without printing; `runRunCommand` and `score-train demo` print its report their own way.
 */
export async function executeRun(flags: RunFlags, context: CommandContext, registry: StageRegistry, values?: Record<string, unknown>): Promise<RunCommandReport> {
  const overrides = [...(flags.runDir === undefined ? [] : [`run.dir=${JSON.stringify(flags.runDir)}`]), ...(flags.set ?? [])];
  let loaded = loadConfig({ file: flags.config, overrides, ...(values === undefined ? {} : { values }) });
  if (flags.seeds !== undefined) {
    // --seeds N: run.seed .. run.seed + N - 1, over whatever the file and --set say.
    const first = loaded.config.run.seed;
    const seeds = Array.from({ length: flags.seeds }, (_, i) => first + i);
    loaded = loadConfig({ file: flags.config, overrides: [...overrides, `run.seeds=${JSON.stringify(seeds)}`], ...(values === undefined ? {} : { values }) });
  }
  context.logger.info(`config ${loaded.file ?? '(built-in defaults)'} resolved`, { hash: loaded.hash.slice(0, 12) });
  const controller = new AbortController();
  const interrupt = () =>
    controller.abort(new ScoreError('Interrupted: the running stage stopped and its partial output was discarded; finished stages are kept, so running the same command again goes on from there.', { code: 'INTERRUPTED' }));
  process.once('SIGINT', interrupt);
  let report: PipelineReport;
  try {
    report = await runPipeline({
      config: loaded.config,
      configHash: loaded.hash,
      stages: registry.stages(),
      from: flags.from,
      only: flags.only,
      verify: flags.verify,
      signal: controller.signal,
      logger: context.logger,
      onProgress: context.onProgress,
    });
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
  return { ...report, ...(loaded.file === undefined ? {} : { configFile: loaded.file }) };
}

function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

function collectStage(value: string, previous: readonly string[] = []): string[] {
  if (!(STAGE_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`"${value}" is not a stage; the stages are ${STAGE_NAMES.join(', ')}.`);
  return collect(value, previous);
}

/** Adds `run` to the program; `registry` holds the stage implementations (the default one unless given). */
export function registerRunCommand(program: Command, contextFor: ContextFactory, registry: StageRegistry): void {
  program
    .command('run')
    .description('Run the SCoRe stages (prepare, crm, car, assess, sare, rec, eval) in a run folder with a manifest; finished stages whose inputs did not change are skipped.')
    .option('--config <file>', 'YAML or JSON config file (default: the built-in synthetic demo)')
    .addOption(new Option('--from <stage>', 'redo this stage and every later one').choices([...STAGE_NAMES]))
    .option('--only <stage>', `run only this stage (repeatable; ${STAGE_NAMES.join(', ')}); its upstream stages must have finished`, collectStage)
    .option('--set <key=value>', 'override a config key, e.g. --set crm.epochs=3 (repeatable; values are typed as in YAML)', collect)
    .option('--run-dir <dir>', 'run folder (same as --set run.dir=DIR)')
    .option('--seeds <n>', 'repeat the seed-dependent stages (rec, eval, run.seedStages) with N seeds: run.seed .. run.seed + N - 1; the report gives mean and standard deviation per model', positiveInteger('--seeds'))
    .addOption(new Option('--verify <mode>', 'check finished stages\' artifacts by size or by sha256 before skipping them').choices(['size', 'hash']).default('size'))
    .option('--json', 'print the run report as JSON')
    .option('--quiet', 'no progress output')
    .action(async (flags: RunFlags) => {
      await withCommandContext(contextFor, flags, (context) => runRunCommand(flags, context, registry));
    });
}
