import { compareWithPaper } from './compare-orderings';
import type { OrderingFinding } from './compare-orderings';
import { escapeMarkup } from './escape-markup';
import type { EvaluationMetrics, SweepPoint } from './evaluation-metrics';
import { describeFindings, findingVerdict, paperVerdict } from './finding-text';
import { ablationModels, formatSeconds } from './report-format';
import { sweepRetrainingNote } from './render-markdown';
import { ablationTable, datasetTable, fallbackTable, paperTable, resultsTable, stagesTable, sweepTable } from './report-tables';
import { differencesTable, hasAnyDifference, resultsFooter, scoredRows } from './results-summary';
import { barChart, lineChart } from './svg-charts';
import type { TableSpec } from './table-layout';

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
th { background: #f3f3f3; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: 0 .2rem; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: .5rem 0; } svg { max-width: 100%; height: auto; }
ul.findings li { margin: .2rem 0; } .verdict { font-weight: bold; padding: 0 .3rem; border-radius: 3px; }
.holds .verdict { background: #d8f0dd; } .fails .verdict { background: #f8d7d3; } .unchecked .verdict { background: #eee; }
.muted { color: #666; font-size: .9rem; }
`;

function htmlTable(table: TableSpec): string {
  const cell = (tag: 'th' | 'td', text: string, column: number): string =>
    `<${tag}${table.align?.[column] === 'right' ? ' class="num"' : ''}>${escapeMarkup(text)}</${tag}>`;
  const head = `<thead><tr>${table.headers.map((header, column) => cell('th', header, column)).join('')}</tr></thead>`;
  const body = `<tbody>${table.rows.map((row) => `<tr>${row.map((text, column) => cell('td', text, column)).join('')}</tr>`).join('')}</tbody>`;
  return `<table>${head}${body}</table>`;
}

function paragraph(text: string, className?: string): string {
  return `<p${className === undefined ? '' : ` class="${className}"`}>${escapeMarkup(text)}</p>`;
}

function figure(svg: string): string {
  return `<figure>${svg}</figure>`;
}

function findingItem(finding: OrderingFinding): string {
  const className = !finding.checked ? 'unchecked' : finding.holds ? 'holds' : 'fails';
  const paper = paperVerdict(finding) === '' ? '' : ` ${paperVerdict(finding)}`;
  return `<li class="${className}"><span class="verdict">${escapeMarkup(findingVerdict(finding))}</span> (${escapeMarkup(finding.source)}) ${escapeMarkup(finding.claim)}: ${escapeMarkup(finding.detail)}.${escapeMarkup(paper)}</li>`;
}

function sweepSection(points: readonly SweepPoint[], symbol: string, what: string, retrained: boolean): string {
  if (points.length === 0) return `<h3>${escapeMarkup(`${symbol}: ${what}`)}</h3>${paragraph('Not swept in this run.')}`;
  const chart = lineChart({
    title: `AUC and UAUC vs ${symbol}${retrained ? ' (LM retrained at each point)' : ' (scored without retraining)'}`,
    x: points.map((point) => point.k),
    series: [
      { name: 'AUC', values: points.map((point) => point.auc) },
      { name: 'UAUC', values: points.map((point) => point.uauc) },
    ],
    xLabel: `${symbol} (${what})`,
    yLabel: 'AUC / UAUC',
  });
  return `<h3>${escapeMarkup(`${symbol}: ${what}`)}</h3><div class="charts">${figure(chart)}${htmlTable(sweepTable(points, symbol))}</div>`;
}

function modelChart(title: string, models: EvaluationMetrics['models']): string {
  const lowest = Math.min(...models.flatMap((model) => [model.auc, model.uauc]));
  const fromChance = lowest >= 0.5;
  return barChart({
    title,
    categories: models.map((model) => model.label),
    series: [
      { name: 'AUC', values: models.map((model) => model.auc) },
      { name: 'UAUC', values: models.map((model) => model.uauc) },
    ],
    baseline: fromChance ? 0.5 : 0,
    valueLabel: fromChance ? 'AUC / UAUC (bars start at 0.5, chance level)' : 'AUC / UAUC',
  });
}

/**
 * The report.html of an evaluation: one self-contained page (inline CSS and SVG, no scripts, no
 * external resources) with the tables of the Markdown report and charts: AUC/UAUC bars per model
 * and for the ablation, AUC/UAUC lines vs K_e and K_s, and stage wall-time bars. All text is escaped.
 */
export function renderHtmlReport(metrics: EvaluationMetrics): string {
  const statistics = metrics.dataset.statistics;
  const findings = compareWithPaper(metrics);
  const ablation = ablationModels(metrics.models);
  const title = `Evaluation report: ${metrics.dataset.name}`;
  const body: string[] = [
    `<h1>${escapeMarkup(title)}</h1>`,
    paragraph(`Split scored: ${metrics.split} (${scoredRows(metrics)}). Generated ${metrics.generatedAt}.`),
    `<p class="muted">Config sha256 <code>${escapeMarkup(metrics.configHash)}</code>. UAUC is the unweighted mean of per-user AUC; users whose rows hold one class only are skipped.</p>`,
    '<h2>Dataset</h2>',
    paragraph(`${statistics.users} users, ${statistics.items} items (domain: ${metrics.dataset.domain}); ${statistics.duplicatesRemoved} duplicate rows removed.`),
    htmlTable(datasetTable(metrics)),
    '<h2>Results (Table 2)</h2>',
    metrics.models.length === 0 ? paragraph('No model was scored.') : figure(modelChart('AUC and UAUC per model', metrics.models)) + htmlTable(resultsTable(metrics)),
    `<ul>${resultsFooter(metrics).map((line) => `<li>${escapeMarkup(line)}</li>`).join('')}</ul>`,
    paragraph('The paper columns are the published ML-1M figures, for reference only; they were not measured here.', 'muted'),
    ...(hasAnyDifference(metrics)
      ? [
          '<h3>Differences (paired bootstrap over users)</h3>',
          paragraph('Each LM row minus P^b and minus full SCoRe, on the same resampled users; "real" when the interval excludes zero, else "within noise".', 'muted'),
          htmlTable(differencesTable(metrics)),
        ]
      : []),
    ...(metrics.retrievalFallback === undefined
      ? []
      : ['<h3>Retrieval fallback to P^b</h3>', paragraph('Rows whose prompt fell back to P^b because no similar user was found, per variant and split.', 'muted'), htmlTable(fallbackTable(metrics.retrievalFallback))]),
    '<h2>Ablation (Fig. 3)</h2>',
    ablation.length === 0 ? paragraph('No P^s variant was scored.') : figure(modelChart('Ablation: where the similar users come from', ablation)) + htmlTable(ablationTable(metrics)),
    ...(hasAnyDifference(metrics) ? [paragraph('* after a difference: real (its paired interval excludes zero).', 'muted')] : []),
    '<h2>Sensitivity (Fig. 4)</h2>',
    ...(sweepRetrainingNote(metrics) === '' ? [] : [paragraph(sweepRetrainingNote(metrics), 'muted')]),
    sweepSection(metrics.sweeps.retrieved, 'K_e', 'users retrieved by CAR', metrics.sweeps.retrained === true),
    sweepSection(metrics.sweeps.kept, 'K_s', 'users kept after SARE', metrics.sweeps.retrained === true),
    paragraph('* marks the best value of each column.', 'muted'),
    '<h2>Stage wall times</h2>',
    metrics.stages.length === 0
      ? paragraph('No stage timings were recorded.')
      : figure(barChart({
          title: 'Wall time per stage',
          categories: metrics.stages.map((stage) => `${stage.name} (${stage.status})`),
          series: [{ name: 'seconds', values: metrics.stages.map((stage) => stage.seconds) }],
          valueLabel: 'seconds',
          formatValue: formatSeconds,
        })) + htmlTable(stagesTable(metrics)),
    "<h2>The paper's orderings on this run</h2>",
    paragraph(describeFindings(findings)),
    `<ul class="findings">${findings.map(findingItem).join('')}</ul>`,
    '<h2>Notes</h2>',
    metrics.notes.length === 0 ? paragraph('None.') : `<ul>${metrics.notes.map((note) => `<li>${escapeMarkup(note)}</li>`).join('')}</ul>`,
    "<h2>The paper's Table 2 (reference)</h2>",
    paragraph(`Source: ${metrics.paper.source}.`, 'muted'),
    htmlTable(paperTable(metrics)),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeMarkup(title)}</title><style>${STYLE}</style></head>`,
    `<body><main>${body.join('\n')}</main></body>`,
    '</html>',
    '',
  ].join('\n');
}
