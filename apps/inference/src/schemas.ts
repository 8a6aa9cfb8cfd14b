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
