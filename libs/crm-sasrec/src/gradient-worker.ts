import { type MessagePort, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRandom } from '@score/core';
import { type BackendName, chunkedGradients, initTensorflow, tf } from '@score/tfjs-runtime';
import { type SasrecBatchPayload, sasrecChunks } from './sasrec-losses';
import { type SasrecArchitecture, SasrecNetwork } from './sasrec-network';

/** Key of `workerData` that marks a SASRec gradient worker thread. @internal */
export const GRADIENT_WORKER_MARKER = 'scoreSasrecGradientWorker';

/** What a gradient worker is started with. @internal */
export interface GradientWorkerData {
  readonly [GRADIENT_WORKER_MARKER]: true;
  readonly index: number;
  readonly backend: BackendName;
  readonly architecture: SasrecArchitecture;
  /** Most rows of one gradient pass; a larger shard runs in chunks (see `SasrecOptions.gradientChunkRows`). */
  readonly chunkRows: number;
  /** Variable names in the order of the shared weight and gradient buffers. */
  readonly names: readonly string[];
  /** Float32 weights of every variable, concatenated (written by the main thread). */
  readonly weights: SharedArrayBuffer;
  /** Float32 gradients of every variable, concatenated, then the loss (written by this worker). */
  readonly result: SharedArrayBuffer;
  /** Int32 per worker: the last finished step, or minus the step that failed. */
  readonly control: SharedArrayBuffer;
  /** Where a failure's message goes (read synchronously by the main thread). */
  readonly errors: MessagePort;
}

/** Control value a worker leaves when its thread exits (any other failure writes -step). @internal */
export const WORKER_EXITED = -0x80000000;

/** One step sent to a worker: a shard of the batch and its dropout seed. @internal */
export interface GradientStepMessage {
  readonly step: number;
  readonly seed: number;
  readonly payload: SasrecBatchPayload;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function runGradientWorker(data: GradientWorkerData, port: MessagePort): Promise<void> {
  const control = new Int32Array(data.control);
  const weights = new Float32Array(data.weights);
  const result = new Float32Array(data.result);
  const fail = (step: number, error: unknown) => {
    data.errors.postMessage(messageOf(error));
    Atomics.store(control, data.index, -step);
    Atomics.notify(control, data.index);
  };
  // Wakes the main thread if this thread ever ends while it waits for a step.
  process.on('exit', () => {
    Atomics.store(control, data.index, WORKER_EXITED);
    Atomics.notify(control, data.index);
  });
  let network: SasrecNetwork;
  let variables: tf.Variable[];
  try {
    await initTensorflow({ backend: data.backend });
    // Initial values do not matter: every step assigns the main thread's weights.
    network = new SasrecNetwork(data.architecture, createRandom(0));
    variables = data.names.map((name) => {
      const variable = network.variables.get(name);
      if (!variable) throw new Error(`the network has no variable "${name}".`);
      return variable;
    });
  } catch (error) {
    port.postMessage({ type: 'error', message: messageOf(error) });
    return;
  }
  port.on('message', (message: GradientStepMessage) => {
    try {
      tf.tidy(() => {
        let offset = 0;
        for (const variable of variables) {
          variable.assign(tf.tensor(weights.slice(offset, offset + variable.size), variable.shape, 'float32'));
          offset += variable.size;
        }
      });
      const random = createRandom(message.seed);
      tf.tidy(() => {
        const { value, grads } = chunkedGradients(sasrecChunks(network, message.payload, data.chunkRows, random), variables);
        let offset = 0;
        for (const variable of variables) {
          const grad = grads[variable.name];
          if (grad) result.set(grad.dataSync() as Float32Array, offset);
          else result.fill(0, offset, offset + variable.size);
          offset += variable.size;
        }
        result[offset] = value.dataSync()[0]!;
      });
      Atomics.store(control, data.index, message.step);
      Atomics.notify(control, data.index);
    } catch (error) {
      fail(message.step, error);
    }
  });
  port.postMessage({ type: 'ready' });
}

// Started as a worker thread by SasrecGradientWorkers: serve gradient steps until terminated.
if (!isMainThread && parentPort && (workerData as Partial<GradientWorkerData> | null)?.[GRADIENT_WORKER_MARKER] === true) {
  void runGradientWorker(workerData as GradientWorkerData, parentPort);
}
