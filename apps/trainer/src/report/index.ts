export { compareWithPaper } from './compare-orderings';
export type { OrderingFinding, OrderingMetric } from './compare-orderings';
export { escapeMarkup } from './escape-markup';
export { EVALUATION_METRICS_FORMAT_VERSION, METRICS_FILE } from './evaluation-metrics';
export type {
  BootstrapSettings,
  EvaluatedDataset,
  EvaluationMetrics,
  Interval,
  ModelDifference,
  ModelMetrics,
  RetrievalFallback,
  SeedRun,
  SeedRuns,
  SeedSpread,
  StageTiming,
  SweepPoint,
  Sweeps,
  TrainRowsUsed,
} from './evaluation-metrics';
export { readEvaluationMetrics, validateEvaluationMetrics, writeEvaluationMetrics } from './evaluation-metrics-file';
export { evaluationMetricsSchema } from './evaluation-metrics-schema';
export { describeFindings, findingVerdict, paperVerdict } from './finding-text';
export { formatTick, niceTicks } from './nice-ticks';
export type { AxisTicks } from './nice-ticks';
export { MODEL_IDS, PAPER_REFERENCE, paperRowFor } from './paper-reference';
export type { PaperFigures, PaperModelRow, PaperReference, PaperSweepPeaks } from './paper-reference';
export { renderHtmlReport } from './render-html';
export { renderMarkdownReport, renderResultsMarkdown, renderResultsTable, sweepRetrainingNote } from './render-markdown';
export {
  compactResultsTable,
  confidenceLabel,
  differencesTable,
  differenceTo,
  differenceVerdict,
  excludesZero,
  formatCount,
  formatDeltaInterval,
  formatEstimate,
  hasAnyDifference,
  resultsFooter,
  scoredRows,
} from './results-summary';
export { barChart, lineChart, SERIES_COLOURS } from './svg-charts';
export type { BarChartOptions, ChartSeries, LineChartOptions } from './svg-charts';
export { meanAndSd, seedRunOf, withSeedSpread } from './seed-spread';
export { escapeMarkdownHtml, markdownTable, textTable } from './table-layout';
export type { Alignment, TableSpec } from './table-layout';
export { HTML_REPORT_FILE, MARKDOWN_REPORT_FILE, writeReport } from './write-report';
export type { WrittenReport } from './write-report';
