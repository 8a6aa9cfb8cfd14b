import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Counters a scoring service may expose (a run scoring service does; see `RunScoringService.stats`). */
export interface MetricsSource {
  readonly stats?: { readonly cache: { readonly hits: number; readonly misses: number }; readonly workers?: { readonly queued: number; readonly running: number; readonly restarts?: number } };
}

/** One language-model call of the micro-batcher: its prompts and how long each waited in the queue. */
export interface LmBatchEvent {
  /** Prompts sent in the call. */
  readonly size: number;
  /** Milliseconds each prompt waited between its arrival and the call. */
  readonly queueWaitMs: readonly number[];
}

/** Options of {@link createServiceMetrics}. */
export interface ServiceMetricsOptions {
  /**
   * Whether Node's process metrics (CPU, memory, event-loop lag, GC; prom-client's defaults) are collected too.
   * @defaultValue true
   */
  readonly processMetrics?: boolean;
}

/**
 * The Prometheus metrics of `score-serve` (served at `GET /metrics`), on a registry of their own:
 *
 * - `score_http_request_duration_seconds` (histogram; labels `method`, `route`, `status`): request latency.
 * - `score_http_requests_in_flight` (gauge): requests being handled.
 * - `score_lm_batch_size` (histogram): prompts per language-model call of the micro-batcher.
 * - `score_lm_queue_wait_seconds` (histogram): how long a prompt waited for its batch.
 * - `score_retrieval_cache_hits_total`, `score_retrieval_cache_misses_total` (counters): the retrieval cache.
 * - `score_worker_jobs_queued`, `score_worker_jobs_running`, `score_worker_restarts` (gauges): the scoring worker pool.
 * - `score_model_load_seconds` (gauge): how long loading the run's models took (0 until loaded).
 * - Node's process metrics with the `score_` prefix (`score_process_cpu_seconds_total`,
 *   `score_nodejs_eventloop_lag_seconds`, ...), unless `processMetrics` is false.
 */
export class ServiceMetrics {
  /** The registry (its `metrics()` is the text of `GET /metrics`). */
  readonly registry = new Registry();
  /** `score_http_request_duration_seconds`. */
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  /** `score_http_requests_in_flight`. */
  readonly inFlight: Gauge;
  /** `score_lm_batch_size`. */
  readonly lmBatchSize: Histogram;
  /** `score_lm_queue_wait_seconds`. */
  readonly lmQueueWait: Histogram;
  /** `score_model_load_seconds`. */
  readonly modelLoad: Gauge;
  #source: MetricsSource | undefined;

  constructor(options: ServiceMetricsOptions = {}) {
    const registers = [this.registry];
    const source = () => this.#source?.stats;
    this.requestDuration = new Histogram({
      name: 'score_http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlight = new Gauge({ name: 'score_http_requests_in_flight', help: 'HTTP requests being handled.', registers });
    this.lmBatchSize = new Histogram({ name: 'score_lm_batch_size', help: 'Prompts per language-model call of the micro-batcher.', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers });
    this.lmQueueWait = new Histogram({
      name: 'score_lm_queue_wait_seconds',
      help: 'How long a prompt waited in the micro-batcher before its language-model call.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.modelLoad = new Gauge({ name: 'score_model_load_seconds', help: "Seconds taken to load the run's models (0 until loaded).", registers });
    const counterOf = (name: string, help: string, read: () => number | undefined) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const value = read();
          this.reset();
          if (value !== undefined && value > 0) this.inc(value);
        },
      });
    counterOf('score_retrieval_cache_hits_total', 'Retrieval-cache hits.', () => source()?.cache.hits);
    counterOf('score_retrieval_cache_misses_total', 'Retrieval-cache misses (retrievals run).', () => source()?.cache.misses);
    const gaugeOf = (name: string, help: string, read: () => number | undefined) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read() ?? 0);
        },
      });
    gaugeOf('score_worker_jobs_queued', 'Jobs waiting for a scoring worker.', () => source()?.workers?.queued);
    gaugeOf('score_worker_jobs_running', 'Jobs running in scoring workers.', () => source()?.workers?.running);
    gaugeOf('score_worker_restarts', 'Scoring workers that died after loading and were replaced since the start.', () => source()?.workers?.restarts);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'score_' });
  }

  /** Reads the retrieval cache and worker counters from `source` (the served service) at each scrape. */
  bind(source: MetricsSource): void {
    this.#source = source;
  }

  /** Records one language-model call of the micro-batcher (pass as the service's `onLmBatch`). */
  readonly observeLmBatch = (event: LmBatchEvent): void => {
    this.lmBatchSize.observe(event.size);
    for (const wait of event.queueWaitMs) this.lmQueueWait.observe(wait / 1000);
  };

  /** Records how long loading the models took. */
  setModelLoadSeconds(seconds: number): void {
    this.modelLoad.set(seconds);
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** A new {@link ServiceMetrics} (see there for the metric names). */
export function createServiceMetrics(options: ServiceMetricsOptions = {}): ServiceMetrics {
  return new ServiceMetrics(options);
}
