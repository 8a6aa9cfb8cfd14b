import type { ProgressCallback, ProgressEvent } from '@score/core';
import cliProgress from 'cli-progress';

/** Options of {@link createProgressRenderer}. */
export interface ProgressRendererOptions {
  /** Where bars go. @defaultValue process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Draw bars (TTY) or print a line every `lineEveryPercent` (pipes, CI). @defaultValue stream.isTTY */
  readonly interactive?: boolean;
  /** In line mode, print at most one line per task every this many percent. @defaultValue 10 */
  readonly lineEveryPercent?: number;
  /** Print nothing (for `--json` and `--quiet`). @defaultValue false */
  readonly silent?: boolean;
}

function formatMetrics(metrics: ProgressEvent['metrics']): string {
  if (!metrics) return '';
  return Object.entries(metrics)
    .map(([key, value]) => `${key} ${Math.abs(value) >= 1000 ? value.toFixed(0) : Number.isInteger(value) ? value : value.toFixed(4)}`)
    .join('  ');
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/** A bar updated within this many milliseconds keeps the terminal from other tasks' new bars. */
const CONCURRENT_MS = 10_000;

/**
 * Turns the libraries' progress events into terminal progress bars (cli-progress) with ETA,
 * rate and live metrics, or plain lines when stderr is not a terminal. Tasks that run at once
 * (the rec stage's `rec.workers`) each get their own lines; on a terminal a task's bar starts only
 * when no other task's bar was updated in the last 10 s, so tasks running at once show one bar at
 * a time (their epoch lines come through the log).
 */
export function createProgressRenderer(options: ProgressRendererOptions = {}): ProgressCallback & { stop(): void } {
  const stream = options.stream ?? process.stderr;
  const interactive = options.interactive ?? Boolean(stream.isTTY);
  const every = options.lineEveryPercent ?? 10;
  const bars = new Map<string, cliProgress.SingleBar>();
  const started = new Map<string, number>();
  const lastPercent = new Map<string, number>();
  // When each task's bar was last updated: one updated within CONCURRENT_MS holds the terminal.
  const lastDrawn = new Map<string, number>();

  const render = ((event: ProgressEvent) => {
    if (options.silent) return;
    const key = `${event.task}#${event.epoch ?? 0}`;
    if (!started.has(key)) started.set(key, Date.now());
    const elapsed = (Date.now() - started.get(key)!) / 1000;
    const rate = elapsed > 0 ? event.done / elapsed : 0;
    const label = `${event.task}${event.epoch !== undefined ? ` epoch ${event.epoch}` : ''}`;
    const metrics = formatMetrics(event.metrics);
    if (interactive && event.total !== undefined) {
      let bar = bars.get(key);
      if (!bar && [...lastDrawn].some(([task, at]) => task !== event.task && Date.now() - at < CONCURRENT_MS)) {
        // Another task's bar is live (tasks running at once, e.g. rec.workers): one bar at a time
        // on a terminal; this task's epoch lines come through the log, its bar once the other ends.
        return;
      }
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream, format: `${label} [{bar}] {percentage}% {value}/{total} {unit} | {rate}/s | ETA {eta_formatted} | {metrics}`, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(event.total, event.done, { unit: event.unit, rate: rate.toFixed(0), metrics });
        bars.set(key, bar);
      }
      bar.update(event.done, { unit: event.unit, rate: rate.toFixed(0), metrics });
      lastDrawn.set(event.task, Date.now());
      if (event.finished) {
        bar.stop();
        bars.delete(key);
        lastDrawn.delete(event.task);
      }
      return;
    }
    const percent = event.total ? (100 * event.done) / event.total : 0;
    const previous = lastPercent.get(key) ?? -Infinity;
    if (!event.finished && percent - previous < every && event.total !== undefined) return;
    lastPercent.set(key, percent);
    const eta = event.total && rate > 0 ? formatSeconds((event.total - event.done) / rate) : '?';
    const total = event.total !== undefined ? `/${event.total}` : '';
    stream.write(`${label}: ${event.done}${total} ${event.unit} (${rate.toFixed(0)}/s, ETA ${event.finished ? '0s' : eta})${metrics ? `  ${metrics}` : ''}\n`);
  }) as ProgressCallback & { stop(): void };
  render.stop = () => {
    for (const bar of bars.values()) bar.stop();
    bars.clear();
    lastDrawn.clear();
  };
  return render;
}
