import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { InvalidOptionError, LanguageModelError, ScoreError, silentLogger, UnknownIdError, type Logger } from '@score/core';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RequestTimeoutError, ServiceNotReadyError, UnknownRequestIdError } from './errors';
import { createServiceMetrics, type MetricsSource, type ServiceMetrics } from './metrics';
import { buildOpenApiDocument, renderReferencePage } from './openapi';
import { parseBatchScoreRequest, parseRankRequest, parseScoreRequest } from './schemas';
import type { ScoringService } from './scoring-service';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Receives one `request` line per request (requestId, method, path, status, durationMs) and errors.
   * @defaultValue silentLogger
   */
  readonly logger?: Logger;
  /**
   * Largest request body, in bytes; larger ones get 413.
   * @defaultValue 1048576 (1 MiB)
   */
  readonly bodyLimitBytes?: number;
  /**
   * Time limit of one request, in milliseconds; slower ones get 504 and their work is aborted.
   * @defaultValue 30000
   */
  readonly timeoutMs?: number;
  /**
   * The Prometheus metrics served at `GET /metrics` (pass the one whose `observeLmBatch` the
   * service's batcher reports to).
   * @defaultValue a new {@link ServiceMetrics}
   */
  readonly metrics?: ServiceMetrics;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** The hono app of {@link createApp}, with its in-flight counter and drain switch. */
export interface ScoreApp {
  /** The hono application (its `fetch` serves requests). */
  readonly app: Hono<{ Variables: RequestIdVariables }>;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** Marks the app as shutting down: requests from then on get 503 `SHUTTING_DOWN`, and every response closes its connection. */
  startDraining(): void;
  /** Resolves once no request is in flight. */
  idle(): Promise<void>;
  /** The metrics of `GET /metrics`. */
  readonly metrics: ServiceMetrics;
}

function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(field, `must be a positive integer, got ${value}.`, value);
  return value;
}

/** Maps an error to its HTTP status and JSON body. */
export function errorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof InvalidOptionError) return { status: 400, body: errorBody('INVALID_REQUEST', error.message, error.field) };
  if (error instanceof UnknownRequestIdError) return { status: 404, body: errorBody(error.code, error.message, error.field) };
  if (error instanceof UnknownIdError) return { status: 404, body: errorBody(error.code, error.message) };
  if (error instanceof ServiceNotReadyError) return { status: 503, body: errorBody(error.code, error.message) };
  if (error instanceof RequestTimeoutError) return { status: 504, body: errorBody(error.code, error.message) };
  if (error instanceof LanguageModelError) return { status: 502, body: errorBody(error.code, error.message) };
  if (error instanceof ScoreError) return { status: 500, body: errorBody(error.code, error.message) };
  if (error instanceof HTTPException) return { status: error.status as ContentfulStatusCode, body: errorBody('HTTP_ERROR', error.message || `HTTP ${error.status}.`) };
  return { status: 500, body: errorBody('INTERNAL', 'The server failed to handle the request; see its logs for the request id.') };
}

/** Runs `work` with an abort signal that fires after `timeoutMs`; rejects with {@link RequestTimeoutError} then. */
async function withTimeout<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Every pair of a batch listens on the signal (up to 256, each in the batcher and the pool).
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RequestTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return length === undefined ? c.req.header('transfer-encoding') !== undefined : Number(length) > 0;
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new InvalidOptionError('body', 'must be a JSON object (Content-Type: application/json).');
  }
}

/**
 * The HTTP API over a {@link ScoringService}:
 * `POST /v1/score`, `POST /v1/score/batch`, `POST /v1/retrieve`, `POST /v1/rank`, `GET /v1/items/:id`,
 * `GET /healthz`, `GET /readyz`, `GET /metrics` (Prometheus), `GET /openapi.json` and `GET /docs`
 * (the rendered reference). Errors are JSON `{ error: { code, message, field? } }`: 400 for invalid bodies
 * (naming the field), 404 for unknown users, items and routes, 413 for large bodies, 502 for
 * language-model failures, 503 before the service is ready, 504 past the request timeout.
 */
export function createApp(service: ScoringService, options: AppOptions = {}): ScoreApp {
  const logger = options.logger ?? silentLogger;
  const maxSize = positiveInteger('bodyLimitBytes', options.bodyLimitBytes ?? 1024 * 1024);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? 30_000);
  const metrics = options.metrics ?? createServiceMetrics();
  metrics.bind(service as MetricsSource);
  const state: ServerState = { inFlight: 0, draining: false, idleWaiters: [] };

  const app: ScoreHono = new Hono<{ Variables: RequestIdVariables }>();
  app.use(requestId({ limitLength: 128 }));
  app.use(trackRequests(state, metrics, logger));
  const limit = bodyLimit({
    maxSize,
    onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `The request body is larger than the limit of ${maxSize} bytes.`), 413),
  });
  addOperationalRoutes(app, service, metrics, state);
  addScoringRoutes(app, service, limit, timeoutMs);
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}; see the README for the endpoints.`), 404));
  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    if (status >= 500 && status !== 503 && status !== 504) {
      logger.error('request failed', { requestId: c.get('requestId'), error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
    return c.json(body, status);
  });

  return {
    app,
    get inFlight() {
      return state.inFlight;
    },
    metrics,
    startDraining() {
      state.draining = true;
    },
    idle() {
      return state.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => state.idleWaiters.push(resolve));
    },
  };
}

type ScoreHono = Hono<{ Variables: RequestIdVariables }>;

/** What the request tracker and the routes of one app share: requests in flight, shutdown, and who waits for idle. */
interface ServerState {
  inFlight: number;
  draining: boolean;
  idleWaiters: (() => void)[];
}

/**
 * The middleware around every request: counts it in flight, refuses it with 503 while shutting down,
 * observes its latency by route, closes the connection where the body was left unread or the server
 * drains, logs it, and wakes `idle()` waiters when the last request ends.
 */
function trackRequests(state: ServerState, metrics: ServiceMetrics, logger: Logger): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const start = performance.now();
    state.inFlight += 1;
    metrics.inFlight.inc();
    try {
      // Shutting down: a request that arrives on a kept-alive socket is refused, and the socket closed.
      if (state.draining) c.res = c.json(errorBody('SHUTTING_DOWN', 'The server is shutting down; retry on a new connection.'), 503);
      else await next();
    } finally {
      state.inFlight -= 1;
      metrics.inFlight.dec();
      const route = matchedRoutes(c).findLast((matched) => matched.method !== 'ALL')?.path ?? 'unmatched';
      metrics.requestDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, (performance.now() - start) / 1000);
      // Close the connection when shutting down, and after any answer that left the request body
      // unread (413, or errors before the body was parsed): the unread bytes would otherwise be
      // taken as the next request on a kept-alive socket, which the server then drops.
      if (state.draining || c.res.status === 413 || (hasBody(c) && !c.req.raw.bodyUsed)) c.header('Connection', 'close');
      logger.info('request', {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - start) * 1000) / 1000,
      });
      if (state.inFlight === 0) {
        const waiters = state.idleWaiters;
        state.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  };
}

/** `GET /healthz`, `/readyz`, `/metrics`, `/openapi.json` and `/docs` (the last two rendered once, on first use). */
function addOperationalRoutes(app: ScoreHono, service: ScoringService, metrics: ServiceMetrics, state: ServerState): void {
  let openApi: string | undefined;
  let referencePage: string | undefined;
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    if (state.draining) return c.json(errorBody('SHUTTING_DOWN', 'The server is shutting down.'), 503);
    if (!service.ready) return c.json(errorBody('NOT_READY', 'The scoring service is still loading its models.'), 503);
    return c.json({ status: 'ready' });
  });
  app.get('/metrics', async (c) => {
    const { contentType, body } = await metrics.render();
    return c.body(body, 200, { 'Content-Type': contentType });
  });
  app.get('/openapi.json', (c) => {
    openApi ??= JSON.stringify(buildOpenApiDocument());
    return c.body(openApi, 200, { 'Content-Type': 'application/json' });
  });
  app.get('/docs', (c) => {
    referencePage ??= renderReferencePage(buildOpenApiDocument());
    return c.html(referencePage);
  });
}

/** The scoring API: `POST /v1/score`, `/v1/score/batch`, `/v1/retrieve`, `/v1/rank` (body-limited, each under `timeoutMs`) and `GET /v1/items/:id`. */
function addScoringRoutes(app: ScoreHono, service: ScoringService, limit: MiddlewareHandler, timeoutMs: number): void {
  app.post('/v1/score', limit, async (c) => {
    const request = parseScoreRequest(await readJson(c));
    return c.json(await withTimeout(timeoutMs, (signal) => service.score(request, { signal })));
  });
  app.post('/v1/score/batch', limit, async (c) => {
    const { requests } = parseBatchScoreRequest(await readJson(c));
    // Pre-serialised where the service can (its workers write the results' JSON): the same bytes as c.json's.
    if (service.scoreBatchJson) {
      const json = await withTimeout(timeoutMs, (signal) => service.scoreBatchJson!(requests, { signal }));
      return c.body(json as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/json' });
    }
    return c.json({ results: await withTimeout(timeoutMs, (signal) => service.scoreBatch(requests, { signal })) });
  });
  app.post('/v1/retrieve', limit, async (c) => {
    const request = parseScoreRequest(await readJson(c));
    return c.json({ similarUsers: await withTimeout(timeoutMs, (signal) => service.retrieve(request, { signal })) });
  });
  app.post('/v1/rank', limit, async (c) => {
    const request = parseRankRequest(await readJson(c));
    return c.json(await withTimeout(timeoutMs, (signal) => service.rank(request, { signal })));
  });
  app.get('/v1/items/:id', (c) => {
    const id = c.req.param('id');
    const item = service.item(id);
    if (!item) throw new UnknownRequestIdError('item', id, 'id');
    return c.json(item);
  });
}

/** Options of {@link startServer}. */
export interface StartServerOptions extends AppOptions {
  /** The service to serve (it stays the caller's to dispose). */
  readonly service: ScoringService;
  /**
   * TCP port; 0 picks a free one.
   * @defaultValue 8080
   */
  readonly port?: number;
  /**
   * Interface to listen on.
   * @defaultValue "127.0.0.1"
   */
  readonly host?: string;
  /**
   * How long `close()` waits for in-flight requests before it drops their connections, in ms.
   * @defaultValue 30000
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * How long `close()` keeps idle kept-alive connections open after the in-flight requests finished,
   * so that a client sending on one gets 503 with `Connection: close` instead of a reset; the
   * server's keep-alive timeout (5 s) closes idle ones meanwhile. Then the rest are closed.
   * @defaultValue 5500
   */
  readonly drainMs?: number;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. "http://127.0.0.1:8080". */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** The Node HTTP server. */
  readonly server: Server;
  /**
   * Graceful shutdown: stops accepting connections, lets in-flight requests finish (up to
   * `shutdownTimeoutMs`), answers requests on kept-alive connections 503 with `Connection: close`
   * until they close (up to `drainMs`), then closes every connection. Does not dispose the service.
   */
  close(): Promise<void>;
}

/** Starts {@link createApp}'s app on a Node HTTP server. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError('port', `must be an integer from 0 to 65535, got ${port}.`, port);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new InvalidOptionError('host', `must be a host name or IP address, got ${JSON.stringify(host)}.`, host);
  const shutdownTimeoutMs = positiveInteger('shutdownTimeoutMs', options.shutdownTimeoutMs ?? 30_000);
  const drainMs = positiveInteger('drainMs', options.drainMs ?? 5500);
  const scoreApp = createApp(options.service, options);
  const server = createAdaptorServer({ fetch: scoreApp.app.fetch }) as Server;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(new InvalidOptionError('port', `cannot listen on ${host}:${port}: ${error.message}`, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    server,
    close() {
      closing ??= (async () => {
        scoreApp.startDraining();
        // Stop listening without http.Server.close's closeIdleConnections(): closing an idle
        // kept-alive socket races with the client's next request on it, which then gets a reset.
        const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
        let deadline: NodeJS.Timeout | undefined;
        await Promise.race([scoreApp.idle(), new Promise<void>((resolve) => (deadline = setTimeout(resolve, shutdownTimeoutMs)))]);
        clearTimeout(deadline);
        // Kept-alive connections drain: each closes after its next (503) answer or when idle past the keep-alive timeout.
        const drainEnd = performance.now() + drainMs;
        while (sockets.size > 0 && performance.now() < drainEnd) await new Promise((resolve) => setTimeout(resolve, 20));
        server.closeIdleConnections();
        const hard = setTimeout(() => server.closeAllConnections(), 1000);
        await closed;
        clearTimeout(hard);
      })();
      return closing;
    },
  };
}
