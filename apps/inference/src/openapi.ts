import { z } from 'zod';
import {
  batchScoreRequestSchema,
  batchScoreResponseSchema,
  errorBodySchema,
  healthSchema,
  inlineItemSchema,
  itemSchema,
  MAX_BATCH_REQUESTS,
  MAX_RANK_CANDIDATES,
  rankedItemSchema,
  rankRequestSchema,
  rankResponseSchema,
  readySchema,
  retrieveResponseSchema,
  scoreRequestSchema,
  scoreResultSchema,
  similarUserSchema,
} from './schemas';

/** A JSON Schema object of the document. */
export type JsonSchema = Record<string, unknown>;

/** The OpenAPI 3.1 document of `score-serve` (see {@link buildOpenApiDocument}). */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

/** Version written into the document's `info.version` (the API's, not the package's). */
export const API_VERSION = '1.0.0';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The body is not valid: `error.field` names the field.',
  404: 'An unknown user, item or route: `error.field` names the request field.',
  413: 'The body is larger than the server\'s `--body-limit`.',
  500: 'A server fault, e.g. `NON_FINITE_SCORE` when the model returned a non-finite score.',
  502: 'The language model failed (`LANGUAGE_MODEL`).',
  503: 'The models are still loading (`NOT_READY`) or the server is shutting down (`SHUTTING_DOWN`).',
  504: 'The request ran past `--timeout-ms` (`TIMEOUT`); its queued work was cancelled.',
};

function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((status) => [String(status), { description: ERROR_DESCRIPTIONS[status], content: json('ErrorBody') }]));
}

function post(operationId: string, summary: string, description: string, request: string, response: string): Record<string, unknown> {
  return {
    post: {
      operationId,
      summary,
      description,
      requestBody: { required: true, content: json(request) },
      responses: { 200: { description: 'OK', content: json(response) }, ...errors(400, 404, 413, 500, 502, 503, 504) },
    },
  };
}

/**
 * Builds the OpenAPI 3.1 document of the HTTP API from the zod schemas of every request and
 * response (`schemas.ts`, converted with zod's `z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI
 * 3.1 uses). The cross-field rules of the refinements are added as `allOf`/`oneOf` (exactly one of
 * `userId` and `history`, ...); the 500-candidate total of a rank request is in its description. The committed `apps/inference/openapi.json` is this document
 * (`npm run openapi -w @score/inference` rewrites it).
 */
export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'SCoRe scoring service (score-serve)',
      version: API_VERSION,
      description:
        'Scores (user, item) pairs with SCoRe (method.md Stage 3): CAR retrieves similar users, SARE reranks them, and the recommender LM gives P(yes). Errors are `{ error: { code, message, field? } }`.',
    },
    paths: apiPaths(),
    components: { schemas: componentSchemas() },
  };
}

/**
 * The document's `components.schemas`: every request and response schema converted from zod, with
 * the cross-field rules of the refinements, examples and descriptions added.
 */
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  const named: [string, z.ZodType][] = [
    ['ScoreRequest', scoreRequestSchema],
    ['BatchScoreRequest', batchScoreRequestSchema],
    ['RankRequest', rankRequestSchema],
    ['InlineItem', inlineItemSchema],
    ['ScoreResult', scoreResultSchema],
    ['BatchScoreResponse', batchScoreResponseSchema],
    ['RetrieveResponse', retrieveResponseSchema],
    ['RankResponse', rankResponseSchema],
    ['RankedItem', rankedItemSchema],
    ['SimilarUser', similarUserSchema],
    ['Item', itemSchema],
    ['ErrorBody', errorBodySchema],
    ['Health', healthSchema],
    ['Ready', readySchema],
  ];
  for (const [id, schema] of named) registry.add(schema, { id });
  const converted = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  const schemas: Record<string, JsonSchema> = {};
  for (const [id] of named) {
    const { $schema: _schema, $id: _id, ...schema } = converted.schemas[id]!;
    schemas[id] = schema;
  }
  const describe = (id: string, description: string) => (schemas[id] = { description, ...schemas[id] });
  // The cross-field rules of the zod refinements, in JSON Schema terms.
  const exactlyOne = (a: string, b: string) => ({ oneOf: [{ required: [a] }, { required: [b] }] });
  schemas.ScoreRequest = { ...schemas.ScoreRequest, allOf: [exactlyOne('userId', 'history'), exactlyOne('itemId', 'item')] };
  // Examples (ids as in MovieLens-style runs, whose ids are numbers written as strings).
  schemas.ScoreRequest = { ...schemas.ScoreRequest, examples: [{ userId: '1', itemId: '10' }, { history: ['1', '2', '3'], item: { title: 'A new film', attributes: { genres: ['Drama'] } }, ks: 1 }] };
  schemas.BatchScoreRequest = { ...schemas.BatchScoreRequest, examples: [{ requests: [{ userId: '1', itemId: '10' }, { userId: '2', itemId: '11' }] }] };
  schemas.RankRequest = { ...schemas.RankRequest, examples: [{ userId: '1', itemIds: ['10', '11', '12'], items: [{ title: 'A new film' }], topK: 2 }] };
  // (At least one of itemIds and items is left to the description: schemathesis 4.32's coverage phase fails on an anyOf of required.)
  schemas.RankRequest = { ...schemas.RankRequest, allOf: [exactlyOne('userId', 'history')] };
  describe('ScoreRequest', 'One (user, item) pair: exactly one of `userId` and `history` (item ids, oldest first), exactly one of `itemId` and `item`; `ks` is K_s, the similar users in the prompt.');
  describe('BatchScoreRequest', `1 to ${MAX_BATCH_REQUESTS} score requests, answered in order.`);
  describe('RankRequest', `One user (exactly one of \`userId\` and \`history\`) and 1 to ${MAX_RANK_CANDIDATES} candidates in \`itemIds\` and/or \`items\` together; \`topK\` keeps the best (default: all).`);
  return schemas;
}

/** The document's `paths`: every route of the server with its operation, body and answers. */
function apiPaths(): OpenApiDocument['paths'] {
  return {
    '/v1/score': post('score', 'Score one pair', 'P(yes) of one (user, item) pair, with the similar users, the prompt and the timings.', 'ScoreRequest', 'ScoreResult'),
    '/v1/score/batch': post('scoreBatch', 'Score many pairs', 'Scores up to 256 pairs; results in request order.', 'BatchScoreRequest', 'BatchScoreResponse'),
    '/v1/retrieve': post('retrieve', 'Similar users of a pair', 'CAR retrieval and SARE reranking alone: the K_s similar users, best first.', 'ScoreRequest', 'RetrieveResponse'),
    '/v1/rank': post(
      'rank',
      'Rank candidates for one user',
      'Scores up to 500 candidates for one user and returns them by P(yes), best first; retrieval and reranking run once for the user (SARE\'s query is the user\'s history), not per candidate.',
      'RankRequest',
      'RankResponse',
    ),
    '/v1/items/{id}': {
      get: {
        operationId: 'item',
        summary: 'An item of the catalogue',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 }, example: '10' }],
        responses: { 200: { description: 'OK', content: json('Item') }, ...errors(404, 503) },
      },
    },
    '/healthz': { get: { operationId: 'health', summary: 'Liveness: answers while the process runs', responses: { 200: { description: 'OK', content: json('Health') }, ...errors(503) } } },
    '/readyz': { get: { operationId: 'ready', summary: 'Readiness: 200 once the models are loaded', responses: { 200: { description: 'Ready', content: json('Ready') }, ...errors(503) } } },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        responses: { 200: { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(503) },
      },
    },
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document', responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(503) } },
    },
    '/docs': {
      get: { operationId: 'docs', summary: 'This document rendered as a self-contained HTML page', responses: { 200: { description: 'OK', content: { 'text/html': { schema: { type: 'string' } } } }, ...errors(503) } },
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/**
 * The reference page of `GET /docs`: every operation with its request and answers, and every
 * schema, as one HTML page with inline CSS and no script or external resource (the server may
 * have no internet access).
 */
export function renderReferencePage(document: OpenApiDocument): string {
  const schemaLink = (value: unknown): string => {
    const target = (value as { $ref?: string } | undefined)?.$ref;
    return target ? `<a href="#schema-${escapeHtml(target.split('/').at(-1)!)}">${escapeHtml(target.split('/').at(-1)!)}</a>` : '';
  };
  const operations: string[] = [];
  for (const [route, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const operation = raw as { summary?: string; description?: string; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> };
      const body = operation.requestBody ? `<p>Body: ${Object.entries(operation.requestBody.content).map(([type, content]) => `<code>${escapeHtml(type)}</code> ${schemaLink(content.schema)}`).join(', ')}</p>` : '';
      const responses = Object.entries(operation.responses)
        .map(([status, response]) => `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(response.description)}</td><td>${Object.entries(response.content ?? {}).map(([type, content]) => `<code>${escapeHtml(type)}</code> ${schemaLink(content.schema)}`).join(', ')}</td></tr>`)
        .join('');
      operations.push(
        `<section class="op" id="op-${escapeHtml(method)}-${escapeHtml(route)}"><h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(route)}</code></h3>` +
          `<p>${escapeHtml(operation.summary ?? '')}${operation.description ? `. ${escapeHtml(operation.description)}` : ''}</p>${body}` +
          `<table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>${responses}</tbody></table></section>`,
      );
    }
  }
  const schemas = Object.entries(document.components.schemas)
    .map(([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></section>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} — API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.75rem;overflow:auto;border-radius:4px}
.op{border-top:1px solid #ddd;padding-top:.5rem}.method{display:inline-block;min-width:3.5rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:.1rem .4rem}
.get{background:#2f6f9f}.post{background:#3b8d3b}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${escapeHtml(document.info.title)}</h1><p>API version ${escapeHtml(document.info.version)}, OpenAPI ${escapeHtml(document.openapi)}. ${escapeHtml(document.info.description)} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
<h2>Operations</h2>${operations.join('\n')}
<h2>Schemas</h2>${schemas}
</body></html>
`;
}
