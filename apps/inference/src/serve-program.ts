import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadCarRetriever } from '@score/car-retriever';
import type { Logger } from '@score/core';
import { integerFlag, llmOverridesFromFlags, type ServiceFlags } from './cli-options';
import { createDeferredScoringService } from './deferred-scoring-service';
import { createServiceMetrics } from './metrics';
import { createPinoLogger } from './pino-logger';
import type { RunComponentLoaders } from './run-components';
import { createRunScoringService } from './run-scoring-service';
import { startServer, type RunningServer } from './server';
import { DEFAULT_WORKER_NICE } from './worker-pool';

/** Flags of `score-serve`. */
export interface ServeFlags extends ServiceFlags {
  /** `--port`: TCP port, 0 for a free one. @defaultValue 8080 */
  readonly port: number;
  /** `--host`: interface to listen on. @defaultValue "127.0.0.1" */
  readonly host: string;
  /** `--timeout-ms`: per-request time limit. @defaultValue 30000 */
  readonly timeoutMs: number;
  /** `--body-limit`: largest request body in bytes. @defaultValue 1048576 */
  readonly bodyLimit: number;
  /** `--batch-size`: most prompts per language-model call. @defaultValue 16 */
  readonly batchSize: number;
  /** `--batch-window-ms`: how long a prompt waits for others. @defaultValue 2 */
  readonly batchWindowMs: number;
  /** `--log-level`: lowest level of the JSON logs on stderr. @defaultValue "info" */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * `--workers`: worker threads that run retrieval, reranking and the language model off the event
   * loop (0: on it). Ignored (0) when {@link ServeProgramOptions.loaders} are given.
   * @defaultValue the machine's cores
   */
  readonly workers?: number;
  /** `--worker-nice`: nice steps by which worker threads lower their CPU priority (Linux). @defaultValue 10 */
  readonly workerNice?: number;
  /** `--verify`: how artifacts are checked against manifest.json at load ("size" or "hash"). @defaultValue "size" */
  readonly verify?: 'size' | 'hash';
  /**
   * `--index-uri`: where CAR's LanceDB snapshot tables are opened instead of `<run>/car/index`: a
   * folder or an object-storage URI passed to LanceDB untouched (`s3://bucket/run-1/car-index`,
   * `gs://...`, `az://...`); credentials and endpoint from the environment (`AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, ...). The encoder and
   * the corpus still come from the run folder. Runs on the calling thread (workers 0) for now.
   * @defaultValue the run folder's index
   */
  readonly indexUri?: string;
}

/** A started `score-serve`: the server, and a shutdown that also frees the models. */
export interface ServeHandle {
  readonly server: RunningServer;
  /** Resolves true once the models are loaded, or false when they failed to load (the server is then shut down). */
  readonly loaded: Promise<boolean>;
  /** Graceful shutdown, then the models are disposed. */
  shutdown(): Promise<void>;
}

/** Overrides of {@link createServeProgram} for tests and embedders. */
export interface ServeProgramOptions {
  /** Logger instead of pino on standard error. @defaultValue pino JSON lines at `--log-level` */
  readonly logger?: Logger;
  /** Stage loaders (see `loadRunComponents`). @defaultValue DEFAULT_RUN_COMPONENT_LOADERS */
  readonly loaders?: RunComponentLoaders;
  /** Receives the started server (tests). @defaultValue none */
  readonly onStarted?: (handle: ServeHandle) => void;
  /** Whether SIGINT and SIGTERM trigger the graceful shutdown. @defaultValue true */
  readonly handleSignals?: boolean;
}

/**
 * Starts the server at once (so `/healthz` answers) and loads the run in the background;
 * `/readyz` answers 200 once the models are loaded. A failed load is logged and shuts down.
 */
export async function serve(flags: ServeFlags, options: ServeProgramOptions = {}): Promise<ServeHandle> {
  const logger = options.logger ?? createPinoLogger({ level: flags.logLevel });
  const metrics = createServiceMetrics();
  const loadStart = performance.now();
  const loading = createRunScoringService({
    runDir: flags.run,
    llm: flags.llm,
    loaders:
      flags.indexUri === undefined || options.loaders?.retriever !== undefined
        ? options.loaders
        : {
            ...options.loaders,
            retriever: (context) =>
              loadCarRetriever(path.join(context.runDir, 'car'), { variant: 'car', dataset: context.dataset, indexUri: flags.indexUri }),
          },
    llmOverrides: llmOverridesFromFlags(flags),
    ks: flags.ks,
    // A retriever loader for --index-uri is a function, which worker threads cannot receive.
    workers: options.loaders || flags.indexUri !== undefined ? 0 : (flags.workers ?? os.availableParallelism()),
    workerNice: flags.workerNice,
    verify: flags.verify ?? 'size',
    batching: { maxBatchSize: flags.batchSize, windowMs: flags.batchWindowMs, onBatch: metrics.observeLmBatch },
    logger,
  });
  void loading.then(
    () => metrics.setModelLoadSeconds((performance.now() - loadStart) / 1000),
    () => undefined,
  );
  const service = createDeferredScoringService(loading);
  const server = await startServer({ service, port: flags.port, host: flags.host, timeoutMs: flags.timeoutMs, bodyLimitBytes: flags.bodyLimit, logger, metrics });
  logger.info('listening', { url: server.url, run: flags.run, llm: flags.llm, ...(flags.indexUri === undefined ? {} : { indexUri: flags.indexUri }) });
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      await server.close();
      await service.dispose();
      logger.info('stopped');
    })());
  const loaded = service.settled.then(async () => {
    if (service.error !== undefined) {
      logger.error('the run failed to load', { error: service.error instanceof Error ? service.error.message : String(service.error) });
      await shutdown();
      return false;
    }
    logger.info('ready', { url: server.url });
    return true;
  });
  return { server, loaded, shutdown };
}

/** The `score-serve` command line. */
export function createServeProgram(options: ServeProgramOptions = {}): Command {
  return new Command('score-serve')
    .description('Serve SCoRe scores over HTTP from a trained run folder.')
    .showHelpAfterError()
    .requiredOption('--run <dir>', 'run folder written by score-train')
    .option('--port <n>', 'TCP port (0 picks a free one)', integerFlag('--port', 0, 65535), 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--llm <spec>', 'language model: inprocess, llamacpp:PATH[#LORA], llamacpp:model:NAME (a registry model, pulled on first use) or openai:URL#MODEL', 'inprocess')
    .option('--ks <n>', 'similar users per prompt when a request gives none (K_s)', integerFlag('--ks', 1, 10))
    .option('--timeout-ms <ms>', 'per-request time limit', integerFlag('--timeout-ms', 1), 30_000)
    .option('--body-limit <bytes>', 'largest request body', integerFlag('--body-limit', 1), 1024 * 1024)
    .option('--batch-size <n>', 'most prompts per language-model call', integerFlag('--batch-size', 1), 16)
    .option('--batch-window-ms <ms>', 'how long a prompt waits for others to batch with', integerFlag('--batch-window-ms', 0), 2)
    .option('--llm-threads <n>', 'llama.cpp CPU threads (0 = all cores)', integerFlag('--llm-threads', 0))
    .option('--llm-context <n>', 'llama.cpp context size in tokens', integerFlag('--llm-context', 16))
    .option('--llm-sequences <n>', 'llama.cpp sequences evaluated in parallel', integerFlag('--llm-sequences', 1))
    .option('--workers <n>', 'worker threads for retrieval and scoring, each with its own models (0 = on the event loop; default: the cores)', integerFlag('--workers', 0, 256))
    .option('--worker-nice <n>', 'nice steps by which worker threads lower their CPU priority (Linux), so the event loop answers /healthz while they score', integerFlag('--worker-nice', 0, 19), DEFAULT_WORKER_NICE)
    .addOption(new Option('--verify <mode>', "check the run's artifacts against manifest.json at load: size, or hash (sha256; reads every file)").choices(['size', 'hash']).default('size'))
    .option('--index-uri <uri>', "CAR's LanceDB index location instead of RUN/car/index: a folder or s3://, gs://, az:// (credentials from AWS_* etc. in the environment; runs with --workers 0)")
    .addOption(new Option('--log-level <level>', 'log level of the JSON logs on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .action(async (flags: ServeFlags) => {
      const handle = await serve(flags, options);
      void handle.loaded.then((ok) => {
        if (!ok) process.exitCode = 1;
      });
      if (options.handleSignals ?? true) {
        // Persistent listeners (not `once`): libraries using signal-exit re-raise a signal that
        // has no other listener, which would kill the process before in-flight requests finish.
        // A second signal while shutting down exits at once.
        const signals = ['SIGINT', 'SIGTERM'] as const;
        let received = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (received) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
          received = true;
          void handle.shutdown().finally(() => {
            for (const name of signals) process.off(name, onSignal);
          });
        };
        for (const signal of signals) process.on(signal, onSignal);
      }
      options.onStarted?.(handle);
    });
}
