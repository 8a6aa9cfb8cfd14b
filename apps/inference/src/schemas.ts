import { InvalidOptionError } from '@score/core';
import { z } from 'zod';

/** Most pairs one `POST /v1/score/batch` request may hold. */
export const MAX_BATCH_REQUESTS = 256;

/** Most items a request's `history` may hold. */
export const MAX_HISTORY_ITEMS = 1000;

const id = z.string().min(1).max(200);

/** An item given inline instead of by id (a new item not in the run's catalogue). */
export const inlineItemSchema = z
  .object({
    id: id.optional(),
    title: z.string().min(1).max(1000),
    attributes: z.record(z.string().max(100), z.array(z.string().max(1000)).max(100)).optional(),
  })
  .strict();

const pairShape = {
  userId: id.optional(),
  history: z.array(id).min(1).max(MAX_HISTORY_ITEMS).optional(),
  itemId: id.optional(),
  item: inlineItemSchema.optional(),
  ks: z.number().int().min(1).max(10).optional(),
};

/**
 * Body of `POST /v1/score` and `POST /v1/retrieve`: exactly one of `userId` and `history` (item
 * ids, oldest first), exactly one of `itemId` and `item`, and optionally `ks` (K_s, 1..10).
 */
export const scoreRequestSchema = z
  .object(pairShape)
  .strict()
  .superRefine((value, context) => {
    if ((value.userId === undefined) === (value.history === undefined)) {
      context.addIssue({ code: 'custom', path: ['userId'], message: 'give exactly one of "userId" and "history"' });
    }
    if ((value.itemId === undefined) === (value.item === undefined)) {
      context.addIssue({ code: 'custom', path: ['itemId'], message: 'give exactly one of "itemId" and "item"' });
    }
  });

/** Body of `POST /v1/score/batch`: 1 to {@link MAX_BATCH_REQUESTS} score requests. */
export const batchScoreRequestSchema = z
  .object({ requests: z.array(scoreRequestSchema).min(1).max(MAX_BATCH_REQUESTS) })
  .strict();

/** A validated score (or retrieve) request. */
export type ScoreRequest = z.output<typeof scoreRequestSchema>;

/** A validated batch request. */
export type BatchScoreRequest = z.output<typeof batchScoreRequestSchema>;

/** An inline item of a request. */
export type InlineItem = z.output<typeof inlineItemSchema>;

/** Writes a zod issue path as a field name: `requests[2].history[0]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text.length === 0 ? String(part) : `.${String(part)}`;
  }
  return text;
}

/**
 * Validates a value against a schema; the first problem becomes an {@link InvalidOptionError}
 * whose `field` is the offending field's path (`body` for the whole body).
 */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  let path: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path = [...path, issue.keys[0]];
  const field = [prefix, formatFieldPath(path)].filter((part) => part.length > 0).join('.') || 'body';
  const message = issue.code === 'unrecognized_keys' ? `is not a known field; known fields depend on the endpoint (see the README).` : `${issue.message}.`;
  throw new InvalidOptionError(field, message, undefined);
}

/** Validates a score or retrieve request (see {@link scoreRequestSchema}). */
export function parseScoreRequest(value: unknown, prefix = ''): ScoreRequest {
  return parseWithSchema(scoreRequestSchema, value, prefix);
}

/** Validates a batch request (see {@link batchScoreRequestSchema}). */
export function parseBatchScoreRequest(value: unknown): BatchScoreRequest {
  return parseWithSchema(batchScoreRequestSchema, value);
}

/** Most candidates one `POST /v1/rank` request may hold (ids and inline items together). */
export const MAX_RANK_CANDIDATES = 500;

/**
 * Body of `POST /v1/rank`: one user (exactly one of `userId` and `history`), and 1 to
 * {@link MAX_RANK_CANDIDATES} candidates given by id (`itemIds`) and/or inline (`items`); `topK`
 * (default every candidate) and `ks` (K_s, 1..10) are optional.
 */
export const rankRequestSchema = z
  .object({
    userId: id.optional(),
    history: z.array(id).min(1).max(MAX_HISTORY_ITEMS).optional(),
    itemIds: z.array(id).min(1).max(MAX_RANK_CANDIDATES).optional(),
    items: z.array(inlineItemSchema).min(1).max(MAX_RANK_CANDIDATES).optional(),
    topK: z.number().int().min(1).max(MAX_RANK_CANDIDATES).optional(),
    ks: z.number().int().min(1).max(10).optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if ((value.userId === undefined) === (value.history === undefined)) {
      context.addIssue({ code: 'custom', path: ['userId'], message: 'give exactly one of "userId" and "history"' });
    }
    const candidates = (value.itemIds?.length ?? 0) + (value.items?.length ?? 0);
    if (candidates === 0) context.addIssue({ code: 'custom', path: ['itemIds'], message: 'give candidates in "itemIds" and/or "items"' });
    if (candidates > MAX_RANK_CANDIDATES) context.addIssue({ code: 'custom', path: ['items'], message: `give at most ${MAX_RANK_CANDIDATES} candidates in "itemIds" and "items" together` });
  });

/** A validated rank request. */
export type RankRequest = z.output<typeof rankRequestSchema>;

/** Validates a rank request (see {@link rankRequestSchema}). */
export function parseRankRequest(value: unknown): RankRequest {
  return parseWithSchema(rankRequestSchema, value);
}

// ---- Response schemas (for the OpenAPI document and the tests that check answers against it) ----

/** An error answer: `{ error: { code, message, field? } }`. */
export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).strict() })
  .strict()
  ;

/** A similar user of an answer: CAR's score and SARE's score. */
export const similarUserSchema = z
  .object({ userId: z.string(), behaviour: z.string(), carScore: z.number(), sareScore: z.number() })
  .strict()
  ;

const timingsSchema = z
  .object({ retrieve: z.number().min(0), rerank: z.number().min(0), lm: z.number().min(0), total: z.number().min(0) })
  .strict()
  .meta({ description: 'Milliseconds spent in each step.' });

const logitsSchema = z.object({ yes: z.number(), no: z.number() }).strict();

/** Answer of `POST /v1/score` (method.md Eq. 14). */
export const scoreResultSchema = z
  .object({
    probability: z.number().min(0).max(1).meta({ description: 'P(yes): the softmax over the "Yes" and "No" logits.' }),
    logits: logitsSchema,
    similarUsers: z.array(similarUserSchema),
    prompt: z.string(),
    timingsMs: timingsSchema,
  })
  .strict()
  ;

/** Answer of `POST /v1/score/batch`: results in request order. */
export const batchScoreResponseSchema = z.object({ results: z.array(scoreResultSchema) }).strict();

/** Answer of `POST /v1/retrieve`. */
export const retrieveResponseSchema = z.object({ similarUsers: z.array(similarUserSchema) }).strict();

/** An item of the run's catalogue (`GET /v1/items/{id}`). */
export const itemSchema = z.object({ id: z.string(), title: z.string(), attributes: z.record(z.string(), z.array(z.string())) }).strict();

/** One ranked candidate of `POST /v1/rank`. */
export const rankedItemSchema = z
  .object({
    itemId: z.string().meta({ description: 'The candidate\'s id ("inline-N" for an inline item without one, N its index in "items").' }),
    probability: z.number().min(0).max(1),
    logits: logitsSchema,
    prompt: z.string(),
  })
  .strict()
  ;

/** Answer of `POST /v1/rank`: the best `topK` candidates by P(yes), and the similar users used for all of them. */
export const rankResponseSchema = z
  .object({
    ranked: z.array(rankedItemSchema),
    candidates: z.number().int().min(1).meta({ description: 'Candidates scored (before topK).' }),
    similarUsers: z.array(similarUserSchema),
    timingsMs: timingsSchema,
  })
  .strict()
  ;

/** Answer of `GET /healthz`. */
export const healthSchema = z.object({ status: z.literal('ok') }).strict();

/** Answer of `GET /readyz` when ready. */
export const readySchema = z.object({ status: z.literal('ready') }).strict();
