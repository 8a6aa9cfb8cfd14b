import path from 'node:path';
import type { Command } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { executeRun, formatRunReport, type RunCommandReport } from './run';
import type { StageRegistry } from '../pipeline/stage-registry';
import { positiveInteger } from '../cli/flag-parsers';
import { type EvaluationMetrics, readEvaluationMetrics, renderResultsTable } from '../report';
import { loadConfig } from '../config/load-config';
import { pullConfigModels } from './demo-models';

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

/**
 * The pretrained demo's config (`score-train demo --pretrained`; the same values as
 * `configs/demo-pretrained.yaml`, which a test keeps in sync, and whose comments say how it was
 * sized): the synthetic data of {@link DEMO_CONFIG}, CAR/SARE/TxtEmb on all-MiniLM-L6-v2,
 * self-assessment by SmolLM2-135M-Instruct (llama.cpp) on 60 pairs, and SmolLM2-135M-Instruct
 * LoRA-tuned on its top 2 blocks as the recommender LM (cache pass on onnxruntime); basic and
 * score variants only. The models are pulled into the models cache first.
 */
export const DEMO_PRETRAINED_CONFIG = Object.freeze({
  run: { dir: 'runs/demo-pretrained', seed: 42 },
  data: { source: { kind: 'synthetic', seed: 42, users: 600, items: 800, clusterItemTaste: 1 }, protocol: 'auto' },
  crm: { model: 'sasrec', epochs: 12, patience: 3, neighbours: 5 },
  car: { encoder: 'bert:model:all-minilm-l6-v2', epochs: 1, retrieved: 10, maxItems: 10, maxTokens: 128, trainLayers: 2 },
  assess: { llm: 'llamacpp:model:smollm2-135m-instruct', sample: 60, maxTokens: 64, embedder: 'bert:model:all-minilm-l6-v2', llmThreads: 1 },
  sare: { encoder: 'bert:model:all-minilm-l6-v2', epochs: 1, kept: 2, maxTokens: 128, trainLayers: 2 },
  rec: {
    model: {
      base: 'model:smollm2-135m-instruct',
      lora: { rank: 8, alpha: 32, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] },
      topBlocks: 2,
      prefixBackend: 'onnx',
    },
    variants: ['basic', 'score'],
    epochs: 1,
    patience: 1,
    batchSize: 8,
    learningRate: 1e-4,
    trainRows: 300,
    validRows: 100,
    maxHistoryItems: 10,
    maxBehaviourItems: 10,
    maxPromptTokens: 192,
    workers: 2,
  },
  eval: { split: 'test', maxRows: 300, retrievedSweep: [10], keptSweep: [2], retrainSweeps: false, zeroShot: { llm: 'rec', variants: ['basic', 'score'], answers: { yes: ' Yes', no: ' No' } } },
  encoders: { inference: 'onnx' },
});

/** Flags of `score-train demo`. */
export interface DemoFlags {
  /** Run folder. @defaultValue "runs/demo" ("runs/demo-pretrained" with `pretrained`) */
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
  /** Run {@link DEMO_PRETRAINED_CONFIG} instead, pulling its models first. @defaultValue false */
  readonly pretrained?: boolean;
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
  const values = (flags.pretrained ? DEMO_PRETRAINED_CONFIG : DEMO_CONFIG) as unknown as Record<string, unknown>;
  const runDir = flags.runDir ?? (flags.pretrained ? DEMO_PRETRAINED_CONFIG.run.dir : DEMO_CONFIG.run.dir);
  if (flags.pretrained) {
    // Pull every model first (with the pull bar), so a missing one fails before any stage runs.
    const { config } = loadConfig({ values, overrides: [...(flags.set ?? [])] });
    await pullConfigModels(config, { onProgress: context.onProgress, logger: context.logger });
  }
  const run = await executeRun({ ...flags, runDir, verify: 'size' }, context, registry, values);
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
    .description('Run the whole SCoRe pipeline on the embedded synthetic data (no downloads; under 15 minutes on a 2-core CPU) and print the results table; the report lands in RUN/eval/. --pretrained: the same on pretrained models (MiniLM encoders, SmolLM2-135M-Instruct), pulled first.')
    .option('--run-dir <dir>', 'run folder (default: runs/demo, or runs/demo-pretrained with --pretrained)')
    .option('--pretrained', 'run configs/demo-pretrained.yaml: CAR/SARE/TxtEmb on all-MiniLM-L6-v2, self-assessment and a LoRA-tuned recommender on SmolLM2-135M-Instruct; pulls the models first (about 190 MB)')
    .option('--set <key=value>', 'override a key of the demo config, e.g. --set rec.trainRows=500 (repeatable)', collect)
    .option('--from <stage>', 'redo this stage and every later one')
    .option('--seeds <n>', 'repeat rec and eval with N seeds (run.seed .. run.seed + N - 1); the table adds mean and standard deviation per model', positiveInteger('--seeds'))
    .option('--json', 'print the run report and metrics as JSON')
    .option('--quiet', 'no progress output')
    .action(async (flags: DemoFlags) => {
      await withCommandContext(contextFor, flags, (context) => runDemoCommand(flags, context, registry));
    });
}
