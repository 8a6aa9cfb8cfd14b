/**
 * The entry of a tuning worker thread of {@link tuneRecLmOnThread}: loads the LM its `workerData`
 * names with the calling thread's tfjs backend, tunes it with {@link trainRecLm}, saves it, sends
 * back the report and waits to be terminated. Progress events and log lines go to the calling thread as they come.
 * Loaded by file name (tsup builds it as an entry of its own).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '@score/core';
import { type BackendName, initTensorflow } from '@score/tfjs-runtime';
import type { InProcessLanguageModel } from './in-process-language-model';
import { saveLlamaCheckpoint } from './llama-checkpoint';
import { saveLoraAdapter } from './peft-adapter';
import { loadRecLmSource } from './rec-lm-source';
import { trainRecLm } from './train-rec-lm';
import type { TuningThreadData, TuningThreadMessage } from './tune-rec-lm-on-thread';

const data = workerData as TuningThreadData;
const port = parentPort!;
// Keeps the thread alive after its report until the calling thread terminates it (no message is lost to an early exit).
port.on('message', () => undefined);

const post = (message: TuningThreadMessage) => port.postMessage(message);
const log = (level: keyof Logger) => (message: string, fields?: Record<string, unknown>) => post({ type: 'log', level, message, ...(fields ? { fields } : {}) });
const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };

let lm: InProcessLanguageModel | undefined;
try {
  await initTensorflow({ backend: data.backend as BackendName });
  const { job } = data;
  lm = await loadRecLmSource(job.source);
  const report = await trainRecLm(lm, { ...job.settings, train: job.train, valid: job.valid, onProgress: (event) => post({ type: 'progress', event }), logger });
  // As the rec stage saves an LM it tuned on its own thread: the adapter, else the whole checkpoint.
  if (lm.model.lora) await saveLoraAdapter(lm.model, job.saveDir);
  else await saveLlamaCheckpoint(lm.model, job.saveDir);
  post({ type: 'done', report });
} catch (error) {
  post({ type: 'failed', error: error instanceof Error ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { name: 'Error', message: String(error) } });
} finally {
  await lm?.dispose();
}
