import { createRequire } from 'node:module';
import path from 'node:path';
import { BackendUnavailableError, InvalidOptionError, type Logger, silentLogger } from '@score/core';
import * as tf from '@tensorflow/tfjs';
import { installSharedBufferKernels } from './wasm-shared-buffers';

/** A TensorFlow.js backend @score can run on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Every backend in the order {@link initTensorflow} tries them. */
export const BACKEND_ORDER: readonly BackendName[] = Object.freeze(['tensorflow', 'wasm', 'cpu'] as const);

/** Options of {@link initTensorflow}. */
export interface TensorflowRuntimeOptions {
  /**
   * Force one backend instead of the first that loads. "tensorflow" is the native
   * `@tensorflow/tfjs-node` binding (an optional dependency), "wasm" the WebAssembly backend
   * (one thread in Node), "cpu" the plain JavaScript backend (about 30x slower than wasm).
   * @defaultValue the `SCORE_TF_BACKEND` environment variable, else "auto"
   */
  readonly backend?: BackendName | 'auto';
  /** Receives one info line naming the backend that runs. @defaultValue silent */
  readonly logger?: Logger;
}

/** The resolved runtime: the tfjs namespace and the backend in use. */
export interface TensorflowRuntime {
  readonly tf: typeof tf;
  readonly backend: BackendName;
  /** Why the faster backends were passed over. */
  readonly skipped: readonly { readonly backend: BackendName; readonly reason: string }[];
}

let current: Promise<TensorflowRuntime> | undefined;
let currentRequest: BackendName | 'auto' | undefined;

const require = createRequire(import.meta.url);

async function tryBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // Registers the "tensorflow" backend on the shared tfjs-core instance when it loads.
    const moduleName = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ moduleName);
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    wasm.setWasmPaths(path.dirname(wasmFile) + path.sep);
    installSharedBufferKernels();
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend("${name}") returned false`);
  }
  await tf.ready();
}

function parseBackend(value: string | undefined): BackendName | 'auto' {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  throw new InvalidOptionError('backend', `"${value}" is not a TensorFlow.js backend; use one of auto, ${BACKEND_ORDER.join(', ')}.`, value);
}

/**
 * Resolves the TensorFlow.js backend once per process: `@tensorflow/tfjs-node` when it loads,
 * else wasm, else cpu (or the one forced by `backend` / `SCORE_TF_BACKEND`), and logs which runs.
 * Every @score library that trains calls this before touching tensors.
 */
export function initTensorflow(options: TensorflowRuntimeOptions = {}): Promise<TensorflowRuntime> {
  const requested = parseBackend(options.backend ?? process.env['SCORE_TF_BACKEND']);
  const logger = options.logger ?? silentLogger;
  if (current && (requested === 'auto' || requested === currentRequest)) return current;
  if (current && requested !== 'auto') {
    // A different backend is forced after one was resolved: switch.
    current = undefined;
  }
  currentRequest = requested;
  current = (async () => {
    const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
    const skipped: { backend: BackendName; reason: string }[] = [];
    for (const name of candidates) {
      try {
        await tryBackend(name);
        logger.info(`TensorFlow.js backend: ${name}`, { backend: name, skipped });
        return { tf, backend: name, skipped };
      } catch (error) {
        skipped.push({ backend: name, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
      }
    }
    current = undefined;
    throw new BackendUnavailableError('TensorFlow.js', skipped);
  })();
  return current;
}

/** The tfjs namespace (the same instance every @score package uses). */
export { tf };
