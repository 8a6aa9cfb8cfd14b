import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, type WorkerOptions, receiveMessageOnPort } from 'node:worker_threads';
import { createRandom } from '@score/core';
import { type BackendName, type BatchGradients, type RandomSource, tf } from '@score/tfjs-runtime';
import { GradientWorkerError } from './errors';
import { GRADIENT_WORKER_MARKER, type GradientStepMessage, type GradientWorkerData, WORKER_EXITED } from './gradient-worker';
import { type SasrecBatchPayload, payloadWeight, slicePayload } from './sasrec-losses';
import type { SasrecArchitecture } from './sasrec-network';

/** Characters of a worker's stderr kept for failure messages. */
const STDERR_TAIL_CHARS = 2000;

function stderrOf(tail: readonly string[]): string {
  const text = tail.join('').trim();
  return text === '' ? '' : ` Its stderr ended with: ${text.slice(-STDERR_TAIL_CHARS)}`;
}

/** Options of {@link SasrecGradientWorkers.create}. @internal */
export interface GradientWorkersOptions {
  /** Worker threads (>= 1); each computes the gradients of one contiguous shard of every batch. */
  readonly count: number;
  readonly architecture: SasrecArchitecture;
  /** The main thread's variables (checkpoint name -> variable), in the optimizer's order. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Backend the workers run (the main thread's). */
  readonly backend: BackendName;
  /** Most rows of one gradient pass in a worker (see `SasrecOptions.gradientChunkRows`). */
  readonly chunkRows: number;
  /** Seed of the generator of the shards' dropout seeds. */
  readonly seed: number;
}

/**
 * How a worker loads this module: the built bundle is started as is; the TypeScript sources
 * (tests, `tsx`; a development setup with the root's `tsx` installed) are required through tsx's
 * CommonJS API by a small bootstrap, with the `@score/source` export condition so workspace
 * packages resolve to their sources too.
 */
function workerEntry(moduleUrl: string): { entry: URL | string; options: WorkerOptions } {
  if (!/\.[cm]?ts$/.test(new URL(moduleUrl).pathname)) return { entry: new URL(moduleUrl), options: {} };
  const tsx = createRequire(moduleUrl).resolve('tsx/cjs/api');
  // Module hooks (tsx's ESM loader) do not reach worker threads in Node 20; tsx's require hook does.
  const bootstrap = `require(${JSON.stringify(tsx)}).require(${JSON.stringify(fileURLToPath(moduleUrl))}, ${JSON.stringify(fileURLToPath(moduleUrl))});`;
  return { entry: bootstrap, options: { eval: true, execArgv: ['--conditions=@score/source'] } };
}

/**
 * Data-parallel gradients for SASRec training: `count` worker threads, each with its own
 * TensorFlow.js runtime (wasm runs one thread per runtime, so this is how training uses more
 * than one core). Every step the main thread copies its weights into shared memory, each worker
 * computes the mean loss and gradients of one contiguous shard of the batch, and the main
 * thread blocks (Atomics.wait) until all are done and combines them, weighting each shard by
 * its share of the batch's loss terms, so the result is the full batch's loss and gradient.
 * The optimizer step stays in the main thread's training loop. Deterministic for a fixed seed
 * and worker count (each shard's dropout seed is drawn, in shard order, from a generator of
 * its own, so the training loop's generator (shuffling, negatives) runs as without workers).
 * @internal
 */
export class SasrecGradientWorkers {
  readonly count: number;
  readonly #architecture: SasrecArchitecture;
  readonly #workers: Worker[];
  readonly #errorPorts: MessagePort[];
  readonly #variables: tf.Variable[];
  readonly #weights: Float32Array;
  readonly #results: Float32Array[];
  readonly #control: Int32Array;
  readonly #total: number;
  readonly #random: RandomSource;
  #step = 0;
  #closed = false;

  private constructor(options: GradientWorkersOptions, workers: Worker[], errorPorts: MessagePort[], weights: SharedArrayBuffer, results: SharedArrayBuffer[], control: SharedArrayBuffer) {
    this.count = options.count;
    this.#architecture = options.architecture;
    this.#workers = workers;
    this.#errorPorts = errorPorts;
    this.#variables = [...options.variables.values()];
    this.#total = this.#variables.reduce((sum, variable) => sum + variable.size, 0);
    this.#weights = new Float32Array(weights);
    this.#results = results.map((buffer) => new Float32Array(buffer));
    this.#control = new Int32Array(control);
    this.#random = createRandom(options.seed);
  }

  /**
   * Starts `count` workers and waits until each has loaded its runtime and built its network.
   * @throws GradientWorkerError when a worker fails to start.
   */
  static async create(options: GradientWorkersOptions): Promise<SasrecGradientWorkers> {
    const names = [...options.variables.keys()];
    const total = [...options.variables.values()].reduce((sum, variable) => sum + variable.size, 0);
    const weights = new SharedArrayBuffer(total * 4);
    const control = new SharedArrayBuffer(options.count * 4);
    const results: SharedArrayBuffer[] = [];
    const workers: Worker[] = [];
    const errorPorts: MessagePort[] = [];
    const stderrTails: string[][] = [];
    const { entry, options: entryOptions } = workerEntry(import.meta.url);
    const started: Promise<void>[] = [];
    for (let index = 0; index < options.count; index++) {
      const result = new SharedArrayBuffer((total + 1) * 4);
      results.push(result);
      const channel = new MessageChannel();
      errorPorts.push(channel.port1);
      const data: GradientWorkerData = { [GRADIENT_WORKER_MARKER]: true, index, backend: options.backend, architecture: options.architecture, chunkRows: options.chunkRows, names, weights, result, control, errors: channel.port2 };
      // The worker's stderr is kept (its tail joins failure messages), never printed.
      const worker = new Worker(entry, { ...entryOptions, workerData: data, transferList: [channel.port2], stdout: true, stderr: true });
      workers.push(worker);
      worker.stdout.resume();
      const tail: string[] = [];
      stderrTails.push(tail);
      worker.stderr.setEncoding('utf8');
      worker.stderr.on('data', (chunk: string) => {
        tail.push(chunk);
        while (tail.length > 1 && tail.reduce((sum, part) => sum + part.length, 0) > STDERR_TAIL_CHARS) tail.shift();
      });
      started.push(
        new Promise<void>((resolve, reject) => {
          const onExit = (code: number) => reject(new GradientWorkerError(index, `the thread exited with code ${code} before it was ready.${stderrOf(stderrTails[index]!)}`));
          worker.once('error', (error) => reject(new GradientWorkerError(index, `${error.message}${stderrOf(stderrTails[index]!)}`, error)));
          worker.once('exit', onExit);
          worker.once('message', (message: { type: string; message?: string }) => {
            worker.off('exit', onExit);
            if (message.type === 'ready') resolve();
            else reject(new GradientWorkerError(index, `it could not start (${message.message ?? 'unknown error'}).`));
          });
        }),
      );
    }
    const pool = new SasrecGradientWorkers(options, workers, errorPorts, weights, results, control);
    try {
      await Promise.all(started);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /**
   * The batch's mean loss and its gradient for every variable (keyed by variable name), combined
   * from the workers' shards; blocks until every worker has finished its shard. The tensors
   * belong to the caller's scope (the training loop's `gradients` hook).
   * @throws GradientWorkerError when a worker fails on its shard.
   */
  gradients(payload: SasrecBatchPayload): BatchGradients {
    if (this.#closed) throw new GradientWorkerError(0, 'the workers were already closed.');
    const length = this.#architecture.maxHistory;
    let offset = 0;
    for (const variable of this.#variables) {
      this.#weights.set(variable.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
    this.#step += 1;
    const step = this.#step;
    const shardRows = Math.ceil(payload.count / this.count);
    const shards: { worker: number; weight: number }[] = [];
    for (let worker = 0; worker < this.count; worker++) {
      const start = worker * shardRows;
      const end = Math.min(payload.count, start + shardRows);
      // A dropout seed for every worker, drawn whether or not its shard is empty.
      const seed = Math.floor(this.#random() * 4294967296) | 0;
      if (end <= start) continue;
      const shard = slicePayload(payload, start, end, length);
      shards.push({ worker, weight: payloadWeight(shard) });
      const message: GradientStepMessage = { step, seed, payload: shard };
      this.#workers[worker]!.postMessage(message);
    }
    for (const { worker } of shards) this.#wait(worker, step);
    const totalWeight = shards.reduce((sum, shard) => sum + shard.weight, 0);
    const gradients = new Float32Array(this.#total);
    let loss = 0;
    for (const { worker, weight } of shards) {
      // Each shard's share of the batch mean (rows for CTR, target positions for next-item).
      const share = totalWeight > 0 ? weight / totalWeight : 0;
      if (share === 0) continue;
      const result = this.#results[worker]!;
      for (let i = 0; i < this.#total; i++) gradients[i]! += share * result[i]!;
      loss += share * result[this.#total]!;
    }
    const grads: tf.NamedTensorMap = {};
    let position = 0;
    for (const variable of this.#variables) {
      grads[variable.name] = tf.tensor(gradients.subarray(position, position + variable.size), variable.shape, 'float32');
      position += variable.size;
    }
    return { value: tf.scalar(loss), grads };
  }

  #wait(worker: number, step: number): void {
    for (;;) {
      const state = Atomics.load(this.#control, worker);
      if (state === step) return;
      if (state === WORKER_EXITED) throw new GradientWorkerError(worker, `its thread exited during step ${step}.`);
      if (state === -step) {
        const failure = receiveMessageOnPort(this.#errorPorts[worker]!);
        throw new GradientWorkerError(worker, `step ${step}: ${String(failure?.message ?? 'unknown error')}.`);
      }
      Atomics.wait(this.#control, worker, state, 1000);
    }
  }

  /** Stops the workers (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const port of this.#errorPorts) port.close();
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
