import { type Command, Option } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { formatTable } from '../cli/output';
import { positiveInteger } from '../cli/flag-parsers';
import type { StageName } from '../pipeline/stage';
import type { StageRegistry } from '../pipeline/stage-registry';
import { runSingleStage } from './run-single-stage';

interface StageFlags {
  readonly run: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

type Summary = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function crmTable(summary: Summary): string {
  const rows: (string | number)[][] = [];
  for (const [model, result] of Object.entries(summary['models'] as Record<string, Summary>)) {
    for (const split of ['valid', 'test'] as const) {
      const m = result[split];
      rows.push([model, split, m.auc, m.uauc, m.uaucSkipped, m.logLoss, m.rows]);
    }
  }
  for (const split of ['valid', 'test'] as const) {
    const m = summary['popularity'][split];
    rows.push(['popularity', split, m.auc, m.uauc, m.uaucSkipped, 'n/a', '']);
  }
  return formatTable(['model', 'split', 'AUC', 'UAUC', 'skipped users', 'log loss', 'rows'], rows);
}

function carTable(summary: Summary): string {
  const rows = (['base', 'cf', 'car'] as const).map((variant) => [variant, summary[variant].recall, summary[variant].futureOverlap]);
  return `Held-out users: ${summary['heldOutUsers']}, K_e = ${summary['k']}, encoder ${summary['encoder']}${summary['fineTuned'] ? '' : ' (frozen: car = base)'}\n${formatTable(['variant', `recall@${summary['k']} of CRM neighbours`, 'overlap with future positives'], rows)}`;
}

function assessText(summary: Summary): string {
  return `${summary['pairs']} pairs assessed by ${summary['assessor'].description} (${summary['generated']} generated, ${summary['reused']} reused; ${summary['promptTokens']} prompt + ${summary['completionTokens']} completion tokens).\nRankings of ${summary['candidatesPerPair']} retrieved users per pair by ${summary['retriever']}, ordered by ${summary['embedder']}.\n`;
}

function sareTable(summary: Summary): string {
  const k = summary['topK'];
  const rows = (['retrieval', 'sareUntrained', 'sare'] as const).map((key) => [
    key === 'retrieval' ? 'CAR order' : key === 'sare' ? 'SARE' : 'SARE (untrained)',
    summary['test'][key].ndcg,
    summary['test'][key].kendallTau,
  ]);
  return `Agreement with the self-assessment order O on ${summary['pairs'].test} held-out pairs:\n${formatTable(['order', `NDCG@${k}`, "Kendall's tau"], rows)}`;
}

async function runAndPrint(stage: StageName, flags: StageFlags, overrides: Record<string, unknown>, context: CommandContext, registry: StageRegistry, format: (summary: Summary) => string): Promise<Summary> {
  const result = await runSingleStage(stage, flags.run, overrides, context, registry);
  const summary = (result.stage.summary ?? {}) as Summary;
  if (context.json) context.output.write(`${JSON.stringify({ runDir: result.runDir, stage, seconds: result.stage.seconds, ...summary }, null, 2)}\n`);
  else context.output.write(format(summary));
  return summary;
}

function stageCommand(program: Command, name: StageName, description: string) {
  return program
    .command(name)
    .description(description)
    .requiredOption('--run <dir>', 'run folder (made by `score-train prepare` or `score-train run`)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output');
}

function recText(summary: Summary): string {
  if (summary['backend']) return `Scoring-only backend ${summary['backend']}: nothing to train.\n`;
  const rows = (summary['variants'] as Summary[]).map((entry) => [entry['variant'], entry['bestEpoch'], entry['bestValidAuc'], entry['tokensPerSecond']]);
  return `LMs tuned on ${summary['trainRows']} train rows (K_e ${summary['retrieved']}, K_s ${summary['kept']}), early-stopped on ${summary['validRows']} valid rows:\n${formatTable(['variant', 'best epoch', 'valid AUC', 'tokens/s'], rows)}`;
}

/** Adds `crm`, `car`, `assess`, `sare`, `rec` and `eval`: each runs one stage of an existing run folder. */
export function registerStageCommands(program: Command, contextFor: ContextFactory, registry: StageRegistry): void {
  stageCommand(program, 'crm', 'Train the conventional recommender (SASRec or MF) and compute collaborative neighbours (stage 0).')
    .addOption(new Option('--model <model>', 'recommender').choices(['sasrec', 'mf']))
    .addOption(new Option('--objective <objective>', 'training objective').choices(['ctr', 'next-item']))
    .option('--epochs <n>', 'most epochs', positiveInteger('--epochs'))
    .option('--no-baseline', 'do not also train the other model as a baseline')
    .action(async (flags: StageFlags & { model?: string; objective?: string; epochs?: number; baseline?: boolean }) => {
      await withCommandContext(contextFor, flags, (context) => runAndPrint('crm', flags, { crm: { model: flags.model, objective: flags.objective, epochs: flags.epochs, baseline: flags.baseline } }, context, registry, crmTable));
    });
  stageCommand(program, 'car', 'Fine-tune CAR on the CRM neighbours, index the behaviour corpus in LanceDB, report retrieval metrics (stage 1).')
    .option('--encoder <spec>', 'scratch | pooled | onnx:PATH | bert:PATH')
    .option('--epochs <n>', 'most fine-tuning epochs', positiveInteger('--epochs'))
    .option('--index-uri <uri>', 'also copy the CAR index there (s3://, gs://, az:// or a folder) for score-serve --index-uri (config car.indexUri)')
    .action(async (flags: StageFlags & { encoder?: string; epochs?: number; indexUri?: string }) => {
      await withCommandContext(contextFor, flags, (context) => runAndPrint('car', flags, { car: { encoder: flags.encoder, epochs: flags.epochs, indexUri: flags.indexUri } }, context, registry, carTable));
    });
  stageCommand(program, 'assess', 'Self-assess sampled training pairs with an LLM (or the metadata fallback) and rank the retrieved users (stage 2a).')
    .option('--llm <spec>', 'metadata | openai:URL#MODEL | llamacpp:PATH[#LORA] | vllm:URL#MODEL | ollama:URL#MODEL')
    .option('--sample <n>', 'training pairs to assess (paper: 10,000)', positiveInteger('--sample'))
    .action(async (flags: StageFlags & { llm?: string; sample?: number }) => {
      await withCommandContext(contextFor, flags, (context) => runAndPrint('assess', flags, { assess: { llm: flags.llm, sample: flags.sample } }, context, registry, assessText));
    });
  stageCommand(program, 'sare', 'Train SARE, the self-assessing reranker, and compare its order with CAR\'s against O (stage 2b).')
    .option('--epochs <n>', 'most epochs', positiveInteger('--epochs'))
    .action(async (flags: StageFlags & { epochs?: number }) => {
      await withCommandContext(contextFor, flags, (context) => runAndPrint('sare', flags, { sare: { epochs: flags.epochs } }, context, registry, sareTable));
    });
  stageCommand(program, 'rec', 'Build the P^b and P^s prompt sets and tune one recommender LM per prompt variant (stage 3).')
    .option('--epochs <n>', 'most epochs', positiveInteger('--epochs'))
    .option('--train-rows <n>', 'train rows sampled per variant', positiveInteger('--train-rows'))
    .option('--valid-rows <n>', 'valid rows sampled for early stopping', positiveInteger('--valid-rows'))
    .option('--variants <list>', 'comma-separated prompt variants: basic, cf, base, car, score')
    .action(async (flags: StageFlags & { epochs?: number; trainRows?: number; validRows?: number; variants?: string }) => {
      await withCommandContext(contextFor, flags, async (context) => {
        const variants = flags.variants?.split(',').map((variant) => variant.trim());
        await runAndPrint('rec', flags, { rec: { epochs: flags.epochs, trainRows: flags.trainRows, validRows: flags.validRows, variants } }, context, registry, recText);
      });
    });
  stageCommand(program, 'eval', 'Score the test split with every baseline and prompt variant, run the K_e/K_s sweeps, write metrics.json, report.md and report.html.')
    .option('--max-rows <n>', 'rows of the split scored (a seeded sample; default: the config\'s eval.maxRows, else every row)', positiveInteger('--max-rows'))
    .action(async (flags: StageFlags & { maxRows?: number }) => {
      await withCommandContext(contextFor, flags, (context) => runAndPrint('eval', flags, { eval: { maxRows: flags.maxRows } }, context, registry, (summary) => `${summary['table']}\nReport: ${flags.run}/eval/report.md and report.html\n`));
    });
}
