import type { Item } from '@score/core';
import { ServiceNotReadyError } from './errors';
import type { MetricsSource } from './metrics';
import type { ScoringService } from './scoring-service';

/** A {@link ScoringService} that is loading, with the load's outcome once it settles. */
export interface DeferredScoringService extends ScoringService {
  /** The loading error, when loading failed. */
  readonly error: unknown;
  /** Settles when loading does (never rejects). */
  readonly settled: Promise<void>;
  /** The loaded service's counters, when it has any (for metrics). */
  readonly stats: MetricsSource['stats'];
}

/**
 * Serves a service that is still loading: until `loading` resolves, `ready` is false and every
 * call throws {@link ServiceNotReadyError} (HTTP 503), so the server can listen (and answer
 * `/healthz`) while models load. Afterwards calls go to the loaded service.
 */
export function createDeferredScoringService(loading: Promise<ScoringService>): DeferredScoringService {
  let service: ScoringService | undefined;
  let failure: unknown;
  let disposed = false;
  const settled = loading.then(
    async (loaded) => {
      if (disposed) await loaded.dispose();
      else service = loaded;
    },
    (error: unknown) => {
      failure = error;
    },
  );
  const loadedService = (): ScoringService => {
    if (service) return service;
    throw new ServiceNotReadyError(
      failure === undefined
        ? undefined
        : `The scoring service failed to load: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
  };
  return {
    get ready() {
      return service?.ready ?? false;
    },
    get error() {
      return failure;
    },
    get stats() {
      return (service as MetricsSource | undefined)?.stats;
    },
    settled,
    score: async (request, options) => loadedService().score(request, options),
    scoreBatch: async (requests, options) => loadedService().scoreBatch(requests, options),
    scoreBatchJson: async (requests, options) => {
      const loaded = loadedService();
      return loaded.scoreBatchJson ? loaded.scoreBatchJson(requests, options) : Buffer.from(JSON.stringify({ results: await loaded.scoreBatch(requests, options) }));
    },
    retrieve: async (request, options) => loadedService().retrieve(request, options),
    rank: async (request, options) => loadedService().rank(request, options),
    item: (id): Item | undefined => loadedService().item(id),
    hasUser: (id) => loadedService().hasUser(id),
    async dispose() {
      disposed = true;
      const current = service;
      service = undefined;
      await current?.dispose();
    },
  };
}
