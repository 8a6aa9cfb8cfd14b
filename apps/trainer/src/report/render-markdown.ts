import { compareWithPaper } from './compare-orderings';
import type { OrderingFinding } from './compare-orderings';
import type { EvaluationMetrics } from './evaluation-metrics';
import { describeFindings, findingVerdict, paperVerdict } from './finding-text';
import { ablationTable, datasetTable, fallbackTable, paperTable, resultsTable, stagesTable, sweepTable } from './report-tables';
import { compactResultsTable, differencesTable, hasAnyDifference, resultsFooter, scoredRows } from './results-summary';
import { escapeMarkdownHtml, markdownTable, textTable } from './table-layout';

/** Free text for Markdown: newlines joined, and tag-like `<` escaped (see {@link escapeMarkdownHtml}). */
function text(value: string): string {
  return escapeMarkdownHtml(value).replace(/\r?\n/g, ' ');
}

function findingLine(finding: OrderingFinding): string {
  const paper = paperVerdict(finding);
  return `- **${findingVerdict(finding)}** (${finding.source}) ${text(finding.claim)}: ${text(finding.detail)}.${paper === '' ? '' : ` ${text(paper)}`}`;
}

/**
 * The report.md of an evaluation: dataset, results (Table 2 form, the paper's ML-1M figures
 * beside them), ablation (Fig. 3), sweeps (Fig. 4), stage wall times, the paper's orderings
 * checked on this run, and the notes. Every number comes from `metrics`.
 */
export function renderMarkdownReport(metrics: EvaluationMetrics): string {
  const statistics = metrics.dataset.statistics;
  const findings = compareWithPaper(metrics);
  const sections: string[] = [
    `# Evaluation report: ${text(metrics.dataset.name)}`,
    [
      `Split scored: **${metrics.split}** (${scoredRows(metrics)}). Generated ${metrics.generatedAt}; config sha256 \`${metrics.configHash}\`.`,
      'UAUC is the unweighted mean of per-user AUC; users whose rows hold one class only are skipped (the CoLLM/BinLLM convention).',
    ].join('\n'),
    '## Dataset',
    `${statistics.users} users, ${statistics.items} items (domain: ${text(metrics.dataset.domain)}); ${statistics.duplicatesRemoved} duplicate rows removed.`,
    markdownTable(datasetTable(metrics)),
    '## Results (Table 2)',
    metrics.models.length === 0 ? 'No model was scored.' : markdownTable(resultsTable(metrics)),
    footerList(metrics),
    'The paper columns are the published ML-1M figures, for reference only; they were not measured here.',
    ...(hasAnyDifference(metrics)
      ? [
          '### Differences (paired bootstrap over users)',
          'Each LM row minus P^b and minus full SCoRe, on the same resampled users; "real" when the interval excludes zero, else "within noise".',
          markdownTable(differencesTable(metrics)),
        ]
      : []),
    ...(metrics.retrievalFallback === undefined ? [] : ['### Retrieval fallback to P^b', 'Rows whose prompt fell back to P^b because no similar user was found, per variant and split.', markdownTable(fallbackTable(metrics.retrievalFallback))]),
    '## Ablation (Fig. 3)',
    markdownTable(ablationTable(metrics)),
    ...(hasAnyDifference(metrics) ? ['`*` after a difference: real (its paired interval excludes zero).'] : []),
    '## Sensitivity (Fig. 4)',
    sweepRetrainingNote(metrics),
    '### K_e: users retrieved by CAR',
    metrics.sweeps.retrieved.length === 0 ? 'Not swept in this run.' : markdownTable(sweepTable(metrics.sweeps.retrieved, 'K_e')),
    '### K_s: users kept after SARE',
    metrics.sweeps.kept.length === 0 ? 'Not swept in this run.' : markdownTable(sweepTable(metrics.sweeps.kept, 'K_s')),
    '`*` marks the best value of each column.',
    '## Stage wall times',
    metrics.stages.length === 0 ? 'No stage timings were recorded.' : markdownTable(stagesTable(metrics)),
    "## The paper's orderings on this run",
    text(describeFindings(findings)),
    findings.map(findingLine).join('\n'),
    '## Notes',
    metrics.notes.length === 0 ? 'None.' : metrics.notes.map((note) => `- ${text(note)}`).join('\n'),
    "## The paper's Table 2 (reference)",
    `Source: ${text(metrics.paper.source)}.`,
    markdownTable(paperTable(metrics)),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

function footerList(metrics: EvaluationMetrics): string {
  return resultsFooter(metrics)
    .map((line) => `- ${text(line)}`)
    .join('\n');
}

/** Whether the sweeps retrained the LM at each point, in one sentence ("" when nothing was swept). */
export function sweepRetrainingNote(metrics: EvaluationMetrics): string {
  if (metrics.sweeps.retrieved.length === 0 && metrics.sweeps.kept.length === 0) return '';
  return metrics.sweeps.retrained === true
    ? 'Every sweep point is scored by a full-SCoRe LM tuned at that point (eval.retrainSweeps), as in the paper.'
    : 'Scored without retraining: the full-SCoRe LM tuned at the main K_e/K_s scores every sweep point (eval.retrainSweeps is off; the paper retrains at each point).';
}

/**
 * The results as an aligned plain-text table for a terminal ({@link compactResultsTable}: AUC and
 * UAUC with intervals, paired differences to P^b and SCoRe marked `*` when real, mean ± sd over
 * seeds, users, skipped users, log loss), followed by the footer lines (rows scored of the split,
 * seeds, how the intervals were computed, train rows used).
 */
export function renderResultsTable(metrics: EvaluationMetrics): string {
  return `${textTable(compactResultsTable(metrics))}\n\n${resultsFooter(metrics).join('\n')}`;
}

/**
 * The same results as {@link renderResultsTable} in Markdown: the compact table, then the footer as
 * a list. `score-train report RUN --markdown` prints it; the README's demo table is its output.
 */
export function renderResultsMarkdown(metrics: EvaluationMetrics): string {
  return `${markdownTable(compactResultsTable(metrics))}\n\n${footerList(metrics)}\n`;
}
