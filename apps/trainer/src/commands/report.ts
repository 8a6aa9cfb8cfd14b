import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError, writeFileAtomic } from '@score/core';
import type { Command } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { type EvaluationMetrics, METRICS_FILE, readEvaluationMetrics, renderResultsMarkdown, renderResultsTable } from '../report';

/** The markers around the generated demo table in README.md. */
export const README_TABLE_MARKERS = Object.freeze({ start: '<!-- demo-table:start -->', end: '<!-- demo-table:end -->' });

/** The marker name of the from-scratch demo's table (`<!-- demo-table:start -->` ... `<!-- demo-table:end -->`); the pretrained demo's is "demo-pretrained-table". */
export const DEFAULT_TABLE_MARKER = 'demo-table';

/** The start and end markers named `name`: `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function tableMarkers(name: string = DEFAULT_TABLE_MARKER): { readonly start: string; readonly end: string } {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new InvalidOptionError('marker', `must be a kebab-case name such as "demo-table" or "demo-pretrained-table", got ${JSON.stringify(name)}.`, name);
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** Flags of `score-train report`. */
export interface ReportFlags {
  /** Print the table in Markdown (the README's form) instead of aligned text. @defaultValue false */
  readonly markdown?: boolean;
  /** Also replace the block between the demo-table markers of this Markdown file with the Markdown table. @defaultValue none */
  readonly readme?: string;
  /** The markers `--readme` looks for: `<!-- NAME:start -->` and `<!-- NAME:end -->`. @defaultValue "demo-table" */
  readonly marker?: string;
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
 * Replaces what lies between the markers named `marker` (default: the demo-table markers) of a
 * Markdown text with `block` (the markers stay, each on its own line).
 * @throws DataFormatError naming `file` when either marker is missing or they are out of order.
 */
export function replaceMarkedBlock(text: string, block: string, file: string, marker: string = DEFAULT_TABLE_MARKER): string {
  const markers = tableMarkers(marker);
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start < 0 || end < start) {
    throw new DataFormatError(`expected the markers ${markers.start} and ${markers.end}, in that order, around the table.`, { path: file });
  }
  return `${text.slice(0, start + markers.start.length)}\n${block.trimEnd()}\n${text.slice(end)}`;
}

/** The block between the markers named `marker` (default: the demo-table markers) of a Markdown text (without the newlines next to the markers), or undefined. */
export function markedBlock(text: string, marker: string = DEFAULT_TABLE_MARKER): string | undefined {
  const markers = tableMarkers(marker);
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start < 0 || end < start) return undefined;
  return text.slice(start + markers.start.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

/**
 * Runs `score-train report TARGET`: reads TARGET's metrics.json and prints the results table
 * (AUC and UAUC with their intervals, the paired differences to P^b and SCoRe, mean ± sd over
 * seeds, then the rows scored, seeds and bootstrap); `--markdown` prints it in Markdown, and
 * `--readme FILE` writes that Markdown between FILE's demo-table markers (`--marker NAME`: between
 * `<!-- NAME:start -->` and `<!-- NAME:end -->`, e.g. demo-pretrained-table).
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
    const marker = flags.marker ?? DEFAULT_TABLE_MARKER;
    await writeFileAtomic(flags.readme, replaceMarkedBlock(readme, markdown, flags.readme, marker));
    context.logger.info(`report: the table between the ${marker} markers of ${flags.readme} was rewritten from ${file}`);
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
    .option('--marker <name>', 'with --readme, the markers <!-- NAME:start/end --> to write between (e.g. demo-pretrained-table)', DEFAULT_TABLE_MARKER)
    .option('--json', 'print the metrics as JSON')
    .action(async (run: string, flags: ReportFlags) => {
      await withCommandContext(contextFor, { ...flags, quiet: true }, (context) => runReportCommand(run, flags, context));
    });
}
