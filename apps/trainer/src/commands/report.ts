import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, writeFileAtomic } from '@score/core';
import type { Command } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { type EvaluationMetrics, METRICS_FILE, readEvaluationMetrics, renderResultsMarkdown, renderResultsTable } from '../report';

/** The markers around the generated demo table in README.md. */
export const README_TABLE_MARKERS = Object.freeze({ start: '<!-- demo-table:start -->', end: '<!-- demo-table:end -->' });

/** Flags of `score-train report`. */
export interface ReportFlags {
  /** Print the table in Markdown (the README's form) instead of aligned text. @defaultValue false */
  readonly markdown?: boolean;
  /** Also replace the block between the demo-table markers of this Markdown file with the Markdown table. @defaultValue none */
  readonly readme?: string;
  /** Print the metrics as JSON. @defaultValue false */
  readonly json?: boolean;
}

/** The metrics.json of `target`: a run folder (RUN/eval/metrics.json), an eval folder, or the file itself. */
export function metricsFileOf(target: string): string {
  const candidates = [path.join(target, 'eval', METRICS_FILE), path.join(target, METRICS_FILE)];
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const found = candidates.find((candidate) => fs.existsSync(candidate));
    if (found === undefined) throw new ArtifactNotFoundError(candidates[0]!, 'Evaluation metrics', 'eval');
    return found;
  }
  return target;
}

/**
 * Replaces what lies between the demo-table markers of a Markdown text with `block` (the markers
 * stay, each on its own line).
 * @throws DataFormatError naming `file` when either marker is missing or they are out of order.
 */
export function replaceMarkedBlock(text: string, block: string, file: string): string {
  const start = text.indexOf(README_TABLE_MARKERS.start);
  const end = text.indexOf(README_TABLE_MARKERS.end);
  if (start < 0 || end < start) {
    throw new DataFormatError(`expected the markers ${README_TABLE_MARKERS.start} and ${README_TABLE_MARKERS.end}, in that order, around the demo table.`, { path: file });
  }
  return `${text.slice(0, start + README_TABLE_MARKERS.start.length)}\n${block.trimEnd()}\n${text.slice(end)}`;
}

/** The block between the demo-table markers of a Markdown text (without the newlines next to the markers), or undefined. */
export function markedBlock(text: string): string | undefined {
  const start = text.indexOf(README_TABLE_MARKERS.start);
  const end = text.indexOf(README_TABLE_MARKERS.end);
  if (start < 0 || end < start) return undefined;
  return text.slice(start + README_TABLE_MARKERS.start.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

/**
 * Runs `score-train report TARGET`: reads TARGET's metrics.json and prints the results table
 * (AUC and UAUC with their intervals, the paired differences to P^b and SCoRe, mean ± sd over
 * seeds, then the rows scored, seeds and bootstrap); `--markdown` prints it in Markdown, and
 * `--readme FILE` writes that Markdown between FILE's demo-table markers.
 */
export async function runReportCommand(target: string, flags: ReportFlags, context: CommandContext): Promise<EvaluationMetrics> {
  const file = metricsFileOf(target);
  const metrics = await readEvaluationMetrics(file);
  const markdown = renderResultsMarkdown(metrics);
  if (flags.readme !== undefined) {
    const readme = await fs.promises.readFile(flags.readme, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new ArtifactNotFoundError(flags.readme!, 'The Markdown file to update');
      throw error;
    });
    await writeFileAtomic(flags.readme, replaceMarkedBlock(readme, markdown, flags.readme));
    context.logger.info(`report: the table between the demo-table markers of ${flags.readme} was rewritten from ${file}`);
  }
  if (context.json) context.output.write(`${JSON.stringify(metrics, null, 2)}\n`);
  else context.output.write(flags.markdown ? markdown : `${renderResultsTable(metrics)}\n`);
  return metrics;
}

/** Adds `report` to the program. */
export function registerReportCommand(program: Command, contextFor: ContextFactory): void {
  program
    .command('report')
    .description('Print the results table of a finished run from its metrics.json (AUC/UAUC with bootstrap intervals, paired differences, seeds, rows scored).')
    .argument('<run>', 'run folder (reads RUN/eval/metrics.json), eval folder, or a metrics.json file')
    .option('--markdown', 'print the table in Markdown (as in the README)')
    .option('--readme <file>', 'also write the Markdown table between the <!-- demo-table:start/end --> markers of FILE')
    .option('--json', 'print the metrics as JSON')
    .action(async (run: string, flags: ReportFlags) => {
      await withCommandContext(contextFor, { ...flags, quiet: true }, (context) => runReportCommand(run, flags, context));
    });
}
