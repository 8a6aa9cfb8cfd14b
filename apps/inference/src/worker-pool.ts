import fs from 'node:fs';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { checkInteger, integerOption, InvalidOptionError, LanguageModelError, ScoreError, silentLogger, startModuleWorker, type Logger } from '@score/core';
import { type AbortableEntry, enqueueAbortable, forgetAbort } from './abortable-queue';

/** An error as it crosses the worker boundary. */
export interface SerializedError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly stack?: string;
  /** LanguageModelError's provider. */
  readonly provider?: string;
}

/** Turns an error thrown in a worker into a message. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const provider = (error as { provider?: unknown }).provider;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
      ...(typeof provider === 'string' ? { provider } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** A worker's error rebuilt on the main thread as a {@link ScoreError} with the same code (a {@link LanguageModelError} stays one). */
export function deserializeError(error: SerializedError): ScoreError {
  let rebuilt: ScoreError;
  if (error.name === 'LanguageModelError' || error.code === 'LANGUAGE_MODEL') {
    rebuilt = new LanguageModelError(error.message.replace(/^\[[^\]]*\] /, ''), { provider: error.provider ?? 'worker' });
  } else {
    rebuilt = new ScoreError(error.message, { code: error.code ?? 'INTERNAL' });
  }
  if (error.stack) rebuilt.stack = `${rebuilt.name}: ${rebuilt.message}\n    (in a scoring worker)\n${error.stack}`;
  return rebuilt;
}

/** A message from a worker of the pool. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly info: unknown }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

/** A message to a worker of the pool. */
export type WorkerRequest = { readonly type: 'job'; readonly id: number; readonly op: string; readonly payload: unknown } | { readonly type: 'dispose' };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** The worker's module (a `.ts` file runs through tsx with the `@score/source` condition). */
  readonly entry: URL;
  /** Threads started. */
  readonly size: number;
  /** Passed to every worker as `workerData`. */
  readonly workerData: unknown;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
  /**
   * How many times a worker that dies after it loaded is replaced by a fresh one (its running job
   * fails with `WORKER_FAILED`; queued jobs wait for the replacement). A worker that fails while
   * loading is never replaced: the pool's `ready()` rejects instead. Once the restarts are used up,
   * dead workers stay dead and the pool fails when the last one is gone.
   * @defaultValue 10
   */
  readonly maxRestarts?: number;
}

interface Job extends AbortableEntry {
  readonly id: number;
  readonly op: string;
  readonly payload: unknown;
  readonly resolve: (value: unknown) => void;
  readonly onStart: (() => void) | undefined;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  alive: boolean;
  /** Whether the current worker has sent `ready`. */
  loaded: boolean;
}

/** Counters of a {@link WorkerPool}. */
export interface WorkerPoolStats {
  /** Jobs finished (resolved or rejected by the worker). */
  readonly completed: number;
  /** Jobs dropped from the queue because their signal aborted before a worker took them. */
  readonly cancelled: number;
  /** Jobs waiting for a worker now. */
  readonly queued: number;
  /** Jobs running in a worker now. */
  readonly running: number;
  /** Workers that died after loading and were replaced by a fresh one. */
  readonly restarts: number;
}

/**
 * A fixed set of `worker_threads`, each holding its own copy of the run's models, that run jobs
 * one at a time per worker (so CPU-bound scoring never runs on the event loop). Jobs wait in a FIFO
 * queue; a queued job whose signal aborts is removed and rejected with the signal's reason
 * (a running one finishes, and its result is dropped). A worker that dies fails its running job
 * (`WORKER_FAILED`) and is replaced by a fresh one (up to `maxRestarts` times), which loads the
 * models again and then takes the queued jobs; the pool fails only when no worker is left.
 */
export class WorkerPool {
  /** Threads in the pool. */
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #logger: Logger;
  readonly #ready: Promise<unknown[]>;
  #nextId = 1;
  #completed = 0;
  #cancelled = 0;
  #disposed = false;
  #failure: ScoreError | undefined;

  readonly #entry: URL;
  readonly #workerData: unknown;
  readonly #maxRestarts: number;
  #restarts = 0;

  constructor(options: WorkerPoolOptions) {
    this.size = checkInteger('workers', options.size, 1);
    const maxRestarts = integerOption('maxRestarts', options.maxRestarts, 10, 0);
    this.#logger = options.logger ?? silentLogger;
    this.#entry = options.entry;
    this.#workerData = options.workerData;
    this.#maxRestarts = maxRestarts;
    const readies: Promise<unknown>[] = [];
    for (let index = 0; index < options.size; index += 1) {
      const slot: Slot = { worker: undefined as unknown as Worker, job: undefined, alive: true, loaded: false };
      this.#slots.push(slot);
      readies.push(this.#start(slot));
    }
    this.#ready = Promise.all(readies);
    this.#ready.catch(() => undefined);
  }

  /** Starts a worker in `slot`; resolves with its `ready` info, rejects if it fails to load. */
  #start(slot: Slot): Promise<unknown> {
    const worker = startModuleWorker(this.#entry, this.#workerData);
    slot.worker = worker;
    slot.loaded = false;
    slot.alive = true;
    return new Promise<unknown>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          slot.loaded = true;
          resolve(message.info);
          this.#pump();
        } else if (message.type === 'failed') reject(deserializeError(message.error));
        else this.#finish(slot, message);
      });
      worker.on('error', (error) => {
        const failure = new ScoreError(`A scoring worker crashed: ${error.message}`, { code: 'WORKER_FAILED', cause: error });
        reject(failure);
        this.#fail(slot, worker, failure);
      });
      worker.on('exit', (code) => {
        const failure = new ScoreError(`A scoring worker exited (code ${code}).`, { code: 'WORKER_FAILED' });
        reject(failure);
        if (!this.#disposed) this.#fail(slot, worker, failure);
      });
    });
  }

  /** Resolves with each worker's `ready` info once every worker has loaded; rejects with the first load error. */
  ready(): Promise<unknown[]> {
    return this.#ready;
  }

  /** Jobs finished, cancelled, queued and running. */
  get stats(): WorkerPoolStats {
    return { completed: this.#completed, cancelled: this.#cancelled, queued: this.#queue.length, running: this.#slots.filter((slot) => slot.job).length, restarts: this.#restarts };
  }

  /**
   * Runs `op` with `payload` (structured-cloned) in the next free worker; `onStart` is called when
   * a worker takes the job (not for a job dropped from the queue).
   */
  run<T>(op: string, payload: unknown, signal?: AbortSignal, onStart?: () => void): Promise<T> {
    if (this.#disposed) return Promise.reject(new InvalidOptionError('service', 'was disposed; create a new scoring service.'));
    if (this.#failure) return Promise.reject(this.#failure);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const make = (onAbort: (() => void) | undefined): Job => ({ id: this.#nextId++, op, payload, resolve: resolve as (value: unknown) => void, reject, signal, onAbort, queuedAt: performance.now(), onStart });
      enqueueAbortable(this.#queue, signal, make, () => (this.#cancelled += 1));
      this.#pump();
    });
  }

  /** Asks every worker to free its models, then stops the threads. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const closing = new InvalidOptionError('service', 'was disposed; create a new scoring service.');
    for (const job of this.#queue.splice(0)) job.reject(closing);
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (!slot.alive) return;
        const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
        slot.worker.postMessage({ type: 'dispose' } satisfies WorkerRequest);
        const timer = setTimeout(() => void slot.worker.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.alive || !slot.loaded || slot.job) continue;
      const job = this.#queue.shift()!;
      forgetAbort(job);
      slot.job = job;
      slot.worker.postMessage({ type: 'job', id: job.id, op: job.op, payload: job.payload } satisfies WorkerRequest);
      job.onStart?.();
    }
  }

  #finish(slot: Slot, message: Extract<WorkerMessage, { type: 'result' | 'error' }>): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    slot.job = undefined;
    this.#completed += 1;
    if (message.type === 'result') job.resolve(message.value);
    else job.reject(deserializeError(message.error));
    this.#pump();
  }

  #fail(slot: Slot, worker: Worker, failure: ScoreError): void {
    // A replaced worker's late events, or a second event (error then exit) of the same death.
    if (slot.worker !== worker || !slot.alive) return;
    slot.alive = false;
    slot.job?.reject(failure);
    slot.job = undefined;
    if (!this.#disposed && slot.loaded && this.#restarts < this.#maxRestarts) {
      this.#restarts += 1;
      this.#logger.error('a scoring worker stopped; starting a replacement', { error: failure.message, restarts: this.#restarts, maxRestarts: this.#maxRestarts });
      this.#start(slot).catch((error: unknown) => {
        this.#logger.error('a replacement scoring worker failed to load', { error: error instanceof Error ? error.message : String(error) });
      });
      return;
    }
    this.#logger.error('a scoring worker stopped', { error: failure.message });
    if (this.#slots.every((other) => !other.alive)) {
      this.#failure = failure;
      for (const job of this.#queue.splice(0)) job.reject(failure);
    }
  }
}

/** Nice steps by which scoring worker threads lower their CPU priority unless told otherwise (`--worker-nice`). */
export const DEFAULT_WORKER_NICE = 10;

/** The calling thread's kernel id (Linux: `/proc/thread-self` links to "PID/task/TID"), or `undefined` elsewhere. */
function currentThreadId(): number | undefined {
  try {
    const threadId = Number.parseInt(fs.readlinkSync('/proc/thread-self').split('/').at(-1) ?? '', 10);
    return Number.isInteger(threadId) ? threadId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lowers the calling thread's CPU priority by `nice` steps (Linux: a nice value is per thread, and
 * threads started later, such as a native library's thread pool, inherit it), so that the
 * server's event loop wins the cores back at once while workers score: `/healthz` and request
 * parsing stay fast when every core runs a batch. Returns the thread's new nice value, or
 * `undefined` where the platform has no per-thread priority (the call then changes nothing).
 */
export function lowerThreadPriority(nice: number): number | undefined {
  const threadId = currentThreadId();
  if (threadId === undefined) return undefined;
  try {
    const current = os.getPriority(threadId);
    os.setPriority(threadId, Math.min(19, current + nice));
    return os.getPriority(threadId);
  } catch {
    return undefined;
  }
}

/**
 * Lowers by `nice` steps (at most to 19) every thread of this process that exists now, except the
 * calling thread: V8's platform threads (garbage collection and compilation helpers for every
 * isolate, the workers' too), libuv's thread pool and native libraries' threads (LanceDB's tokio
 * runtime). Call it on the event loop's thread once the scoring workers have loaded, so that only the
 * thread that answers `/healthz` keeps its priority; threads already lower are left as they are.
 * Returns how many threads were lowered (0 where the platform has no per-thread priority).
 */
export function lowerOtherThreadsPriority(nice: number): number {
  const self = currentThreadId();
  if (self === undefined) return 0;
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  const target = Math.min(19, os.getPriority(self) + nice);
  let lowered = 0;
  for (const task of tasks) {
    const threadId = Number.parseInt(task, 10);
    if (!Number.isInteger(threadId) || threadId === self) continue;
    try {
      if (os.getPriority(threadId) >= target) continue;
      os.setPriority(threadId, target);
      lowered += 1;
    } catch {
      // the thread ended meanwhile
    }
  }
  return lowered;
}
