import { compareWithPaper } from './compare-orderings';
import type { OrderingFinding } from './compare-orderings';
import type { EvaluationMetrics } from './evaluation-metrics';
import { describeFindings, findingVerdict, paperVerdict } from './finding-text';
import { formatMetric } from './report-format';
import { ablationTable, datasetTable, paperTable, resultsTable, stagesTable, sweepTable } from './report-tables';
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
      `Split scored: **${metrics.split}** (${metrics.rows} rows per model). Generated ${metrics.generatedAt}; config sha256 \`${metrics.configHash}\`.`,
      'UAUC is the unweighted mean of per-user AUC; users whose rows hold one class only are skipped (the CoLLM/BinLLM convention).',
    ].join('\n'),
    '## Dataset',
    `${statistics.users} users, ${statistics.items} items (domain: ${text(metrics.dataset.domain)}); ${statistics.duplicatesRemoved} duplicate rows removed.`,
    markdownTable(datasetTable(metrics)),
    '## Results (Table 2)',
    metrics.models.length === 0 ? 'No model was scored.' : markdownTable(resultsTable(metrics)),
    'The paper columns are the published ML-1M figures, for reference only; they were not measured here.',
    '## Ablation (Fig. 3)',
    markdownTable(ablationTable(metrics)),
    '## Sensitivity (Fig. 4)',
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
  return `${sections.join('\n\n')}\n`;
}

/** The results as an aligned plain-text table for a terminal: model, AUC, UAUC, users, skipped users, log loss. */
export function renderResultsTable(metrics: EvaluationMetrics): string {
  return textTable({
    headers: ['Model', 'AUC', 'UAUC', 'Users', 'Skipped', 'Log loss'],
    rows: metrics.models.map((model) => [
      model.label,
      formatMetric(model.auc),
      formatMetric(model.uauc),
      String(model.uaucUsers),
      String(model.uaucSkipped),
      formatMetric(model.logLoss),
    ]),
    align: ['left', 'right', 'right', 'right', 'right', 'right'],
  });
}
