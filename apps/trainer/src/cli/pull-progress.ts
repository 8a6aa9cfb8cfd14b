import type { Logger, ProgressCallback } from '@score/core';
import type { PullProgressEvent } from '@score/model-hub';

const megabytes = (bytes: number) => Math.round(bytes / 100_000) / 10;

/**
 * Turns @score/model-hub pull events into the CLI's progress events (task `pull NAME`, in MB),
 * so a pull draws the same cli-progress bar as training; pip's output goes to the debug log.
 */
export function pullProgressCallback(onProgress: ProgressCallback, logger?: Logger): (event: PullProgressEvent) => void {
  return (event) => {
    if (event.message) logger?.debug(event.message, { model: event.model });
    onProgress({
      task: `pull ${event.model}`,
      done: megabytes(event.bytes),
      total: event.totalBytes === undefined ? undefined : megabytes(event.totalBytes),
      unit: 'MB',
      finished: event.phase === 'done' || event.phase === 'cached',
    });
  };
}
