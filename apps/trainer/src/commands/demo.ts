import path from 'node:path';
import type { Command } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { executeRun, formatRunReport, type RunCommandReport } from './run';
import type { StageRegistry } from '../pipeline/stage-registry';
import { positiveInteger } from '../cli/flag-parsers';
import { type EvaluationMetrics, readEvaluationMetrics, renderResultsTable } from '../report';

/**
 * The demo's config (the same values as `configs/demo.yaml`, which a test keeps in sync): the whole
 * SCoRe pipeline on the embedded synthetic generator, sized to finish in under 15 minutes on a
 * 2-core CPU. Keys not given take the built-in defaults.
 */
export const DEMO_CONFIG = Object.freeze({
  run: { dir: 'runs/demo', seed: 42 },
  data: { source: { kind: 'synthetic', seed: 42, users: 600, items: 800, clusterItemTaste: 1 }, protocol: 'auto' },
  crm: { model: 'sasrec', epochs: 12, patience: 3, neighbours: 5 },
  car: { encoder: 'pooled', epochs: 2, retrieved: 10 },
  assess: { llm: 'metadata', sample: 2000, embedder: 'car' },
  sare: { encoder: 'pooled', epochs: 2, kept: 2 },
  rec: { model: 'scratch', pretrainEpochs: 4, warmupEpochs: 3, warmupRows: 3000, epochs: 2, patience: 2, trainRows: 3000, validRows: 800, maxHistoryItems: 15, maxBehaviourItems: 20, batchSize: 16 },
  eval: { split: 'test', maxRows: 1000, retrievedSweep: [5, 10, 15], keptSweep: [1, 2, 3], retrainSweeps: false },
});

/** Flags of `score-train demo`. */
export interface DemoFlags {
  /** Run folder. @defaultValue "runs/demo" */
  readonly runDir?: string;
  /** `key.path=value` overrides over the demo config (repeatable). @defaultValue [] */
  readonly set?: readonly string[];
  /** Redo this stage and every later one. @defaultValue none: finished stages are skipped */
  readonly from?: string;
  /** Repeat rec and eval with N seeds (42 .. 42 + N - 1); the table gives mean and standard deviation. @defaultValue 1 */
  readonly seeds?: number;
  /** Print the run report and the evaluation metrics as JSON. @defaultValue false */
  readonly json?: boolean;
  /** No progress output. @defaultValue false */
  readonly quiet?: boolean;
}

/** What `score-train demo` returns: the run report and the evaluation metrics. */
export interface DemoReport {
  readonly run: RunCommandReport;
  readonly metrics: EvaluationMetrics;
}

/**
 * Runs `score-train demo`: every stage on the synthetic default ({@link DEMO_CONFIG}), then prints
 * the stage table, the results table (Table 2 layout) and where the report went. A rerun skips
 * finished stages.
 */
export async function runDemoCommand(flags: DemoFlags, context: CommandContext, registry: StageRegistry): Promise<DemoReport> {
  const run = await executeRun({ ...flags, verify: 'size' }, context, registry, DEMO_CONFIG as unknown as Record<string, unknown>);
  const evalDir = path.join(run.runDir, 'eval');
  const metrics = await readEvaluationMetrics(path.join(evalDir, 'metrics.json'));
  if (context.json) {
    context.output.write(`${JSON.stringify({ run, metrics }, null, 2)}\n`);
  } else {
    context.output.write(`${formatRunReport(run)}\n${renderResultsTable(metrics)}\n\nReport: ${path.join(evalDir, 'report.html')} (also report.md and metrics.json)\n`);
  }
  return { run, metrics };
}

function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** Adds `demo` to the program. */
export function registerDemoCommand(program: Command, contextFor: ContextFactory, registry: StageRegistry): void {
  program
    .command('demo')
    .description('Run the whole SCoRe pipeline on the embedded synthetic data (no downloads; under 15 minutes on a 2-core CPU) and print the results table; the report lands in RUN/eval/.')
    .option('--run-dir <dir>', 'run folder', 'runs/demo')
    .option('--set <key=value>', 'override a key of the demo config, e.g. --set rec.trainRows=500 (repeatable)', collect)
    .option('--from <stage>', 'redo this stage and every later one')
    .option('--seeds <n>', 'repeat rec and eval with N seeds (run.seed .. run.seed + N - 1); the table adds mean and standard deviation per model', positiveInteger('--seeds'))
    .option('--json', 'print the run report and metrics as JSON')
    .option('--quiet', 'no progress output')
    .action(async (flags: DemoFlags) => {
      await withCommandContext(contextFor, flags, (context) => runDemoCommand(flags, context, registry));
    });
}
