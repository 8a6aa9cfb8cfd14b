import type { Worker } from 'node:worker_threads';
import { type Logger, type ProgressCallback, type ProgressEvent, ScoreError, startModuleWorker } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import type { RecLmSource } from './rec-lm-source';
import type { RecLmExample, RecLmTrainingReport, TrainRecLmOptions } from './train-rec-lm';

/** The settings of {@link trainRecLm} a tuning thread takes: plain data (callbacks and the signal stay on the calling thread). */
export type RecLmTuningSettings = Omit<TrainRecLmOptions, 'train' | 'valid' | 'onProgress' | 'logger' | 'signal' | 'checkpointDir'>;

/** One LM to tune on a thread of its own: where it starts from, its examples, the settings and where the tuned LM goes. */
export interface RecLmTuningJob {
  /** The LM the tuning starts from, loaded on the thread (with fresh LoRA adapters when the source attaches them). */
  readonly source: RecLmSource;
  /** Training examples. */
  readonly train: readonly RecLmExample[];
  /** Validation examples (early stopping watches their AUC). */
  readonly valid: readonly RecLmExample[];
  /** Settings of {@link trainRecLm} (epochs, patience, batchSize, learningRate, loss, seed, ...). */
  readonly settings: RecLmTuningSettings;
  /**
   * Folder the tuned LM is saved to: the adapter in PEFT format (`saveLoraAdapter`) when the model
   * has LoRA adapters, else the weights as a Hugging Face checkpoint (`saveLlamaCheckpoint`:
   * `config.json` and `model.safetensors`, no tokenizer).
   */
  readonly saveDir: string;
}

/** Options of {@link tuneRecLmOnThread}. */
export interface TuneRecLmOnThreadOptions {
  /** Receives the tuning's progress events (task "reclm.train", as {@link trainRecLm}). @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Receives the tuning's log lines. @defaultValue silent */
  readonly logger?: Logger;
  /** Ends the thread at once: the promise rejects with the signal's reason and `saveDir` may hold a partial LM. @defaultValue none */
  readonly signal?: AbortSignal;
}

/** What the tuning thread sends back. */
export type TuningThreadMessage =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | { readonly type: 'log'; readonly level: keyof Logger; readonly message: string; readonly fields?: Record<string, unknown> }
  | { readonly type: 'done'; readonly report: RecLmTrainingReport }
  | { readonly type: 'failed'; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

/** The `workerData` of a tuning thread. */
export interface TuningThreadData {
  readonly job: RecLmTuningJob;
  readonly backend: string;
}

function startTuningWorker(data: TuningThreadData): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './tuning-thread.ts' : './tuning-thread.js', import.meta.url);
  return startModuleWorker(entry, data);
}

/**
 * Tunes one recommender LM on a worker thread of its own and saves it to `job.saveDir`: the
 * thread loads `job.source` with the calling thread's tfjs backend, runs {@link trainRecLm} with
 * `job.settings` and saves the best weights, so several independent LMs (prompt variants, sweep
 * points) tune at once on a multi-core machine (the wasm backend runs one thread per worker).
 * The thread starts from a fresh tfjs and the same seeded settings, so the tuned weights and the
 * report's validation figures are bitwise those of {@link trainRecLm} on the calling thread with
 * the same LM, examples and settings. Progress events and log lines come back to `options`.
 * Resolves with the training report once the LM is saved (and ends the thread); rejects with a `ScoreError`
 * (code "WORKER_FAILED") when loading, tuning or saving fails or the thread dies.
 * @example
 * const report = await tuneRecLmOnThread(
 *   { source: { kind: 'hugging-face', dir: 'runs/demo/rec/models/warmup' }, train, valid, settings: { epochs: 2, seed: 42 }, saveDir: 'tuned' },
 *   { onProgress: console.log },
 * );
 */
export function tuneRecLmOnThread(job: RecLmTuningJob, options: TuneRecLmOnThreadOptions = {}): Promise<RecLmTrainingReport> {
  const worker = startTuningWorker({ job, backend: tf.getBackend() });
  return new Promise<RecLmTrainingReport>((resolve, reject) => {
    let settled = false;
    const abort = () => settle(() => reject(options.signal!.reason));
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      void worker.terminate();
      outcome();
    };
    worker.on('message', (message: TuningThreadMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.event);
      else if (message.type === 'log') options.logger?.[message.level](message.message, message.fields);
      else if (message.type === 'done') settle(() => resolve(message.report));
      else {
        const error = new ScoreError(`A rec LM tuning thread failed: ${message.error.name}: ${message.error.message}`, { code: 'WORKER_FAILED' });
        if (message.error.stack) error.stack = `${error.name}: ${error.message}\n    (in a tuning thread)\n${message.error.stack}`;
        settle(() => reject(error));
      }
    });
    worker.on('error', (error) => settle(() => reject(new ScoreError(`A rec LM tuning thread crashed: ${error.message}`, { code: 'WORKER_FAILED', cause: error }))));
    worker.on('exit', (code) => settle(() => reject(new ScoreError(`A rec LM tuning thread exited (code ${code}) before saving its LM.`, { code: 'WORKER_FAILED' }))));
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
  });
}
