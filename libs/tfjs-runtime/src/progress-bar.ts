import type { ProgressCallback, ProgressEvent } from '@score/core';
import cliProgress from 'cli-progress';

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Where the bar is drawn. @defaultValue process.stderr */
  readonly stream?: NodeJS.WritableStream;
  /** Draw even when the stream is not a terminal (one line per redraw). @defaultValue false */
  readonly forceOutput?: boolean;
}

/** A terminal progress bar fed by {@link ProgressEvent}s; `stop()` ends it. */
export interface ProgressBar {
  readonly onProgress: ProgressCallback;
  stop(): void;
}

function formatMetric(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/**
 * A progress bar for training loops (for apps; libraries only emit events): shows the task, the
 * epoch, rows done of the total, the running loss, rows/s and the validation figure.
 */
export function createProgressBar(options: ProgressBarOptions = {}): ProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream ?? process.stderr,
      noTTYOutput: options.forceOutput ?? false,
      format: '{task} epoch {epoch} |{bar}| {value}/{total} {unit}  loss {loss}  {speed} rows/s  {extra}',
      hideCursor: false,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const onProgress = (event: ProgressEvent) => {
    const metrics = event.metrics ?? {};
    const extra = Object.entries(metrics)
      .filter(([key]) => key !== 'loss' && key !== 'rowsPerSecond')
      .map(([key, value]) => `${key} ${formatMetric(value, 4)}`)
      .join('  ');
    const payload = { task: event.task, epoch: event.epoch ?? '-', unit: event.unit, loss: formatMetric(metrics['loss'], 4), speed: formatMetric(metrics['rowsPerSecond'], 0), extra };
    if (!started) {
      bar.start(event.total ?? event.done, event.done, payload);
      started = true;
    } else {
      if (event.total !== undefined) bar.setTotal(event.total);
      bar.update(event.done, payload);
    }
    if (event.finished) {
      bar.stop();
      started = false;
    }
  };
  return {
    onProgress,
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
