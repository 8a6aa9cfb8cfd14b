import { BackendUnavailableError, type Logger } from '@score/core';
import type { Llama } from 'node-llama-cpp';

type GpuOption = false | 'auto' | 'cuda' | 'vulkan' | 'metal';

/** One lease's receiver of llama.cpp messages. */
interface Listener {
  readonly logger: Logger;
  /** The last few error messages, for error reports. */
  readonly errors: string[];
}

interface SharedRuntime {
  readonly llama: Promise<Llama>;
  readonly listeners: Set<Listener>;
}

/**
 * One node-llama-cpp runtime per GPU setting, shared by every model of this process and kept
 * until the process exits (node-llama-cpp frees it then). llama.cpp's log callback is
 * process-wide, so a second runtime's disposal would silence the first one's logger (its messages
 * would then go to stdout), and disposing a runtime after failed model loads can wait forever.
 * Messages go to the loggers of all live models.
 */
const runtimes = new Map<string, SharedRuntime>();

/** A handle on the shared runtime; `release` it once the model is disposed. */
export interface LlamaRuntimeLease {
  readonly llama: Llama;
  /** llama.cpp's last error messages (at most 5) since the lease was taken. */
  recentErrors(): readonly string[];
  /** Stops sending llama.cpp's messages to this lease's logger. */
  release(): Promise<void>;
}

/** Borrows the shared node-llama-cpp runtime for `gpu` (loaded on first use, never built or downloaded). */
export async function acquireLlamaRuntime(gpu: GpuOption, logger: Logger): Promise<LlamaRuntimeLease> {
  const key = String(gpu);
  let runtime = runtimes.get(key);
  if (runtime === undefined) {
    const listeners = new Set<Listener>();
    const llama = (async () => {
      const binding = await import('node-llama-cpp');
      return binding.getLlama({
        gpu,
        build: 'never',
        logLevel: binding.LlamaLogLevel.warn,
        logger: (level, message) => {
          const severe = level === binding.LlamaLogLevel.error || level === binding.LlamaLogLevel.fatal;
          const text = message.trim();
          for (const listener of listeners) {
            if (severe) {
              listener.logger.error(text, { source: 'llama.cpp' });
              listener.errors.push(text);
              if (listener.errors.length > 5) listener.errors.shift();
            } else listener.logger.warn(text, { source: 'llama.cpp' });
          }
        },
      });
    })();
    runtime = { llama, listeners };
    runtimes.set(key, runtime);
  }
  const listener: Listener = { logger, errors: [] };
  runtime.listeners.add(listener);
  let llama: Llama;
  try {
    llama = await runtime.llama;
  } catch (error) {
    runtime.listeners.delete(listener);
    if (runtimes.get(key) === runtime) runtimes.delete(key);
    throw new BackendUnavailableError('llama.cpp', [{ backend: `node-llama-cpp (gpu: ${key})`, reason: error instanceof Error ? error.message : String(error) }]);
  }
  const shared = runtime;
  let released = false;
  return {
    llama,
    recentErrors: () => [...listener.errors],
    async release() {
      if (released) return;
      released = true;
      shared.listeners.delete(listener);
    },
  };
}
