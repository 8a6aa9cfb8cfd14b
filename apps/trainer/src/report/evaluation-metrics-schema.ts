import { z } from 'zod';
import type { EvaluationMetrics } from './evaluation-metrics';

const probability = z.number().min(0).max(1);
const count = z.number().int().min(0);
const splitCounts = z.strictObject({ train: count, valid: count, test: count });
const timeRange = z.tuple([z.number(), z.number()]).nullable();
const figures = z.strictObject({ auc: probability, uauc: probability });
const interval = z.strictObject({ lower: probability, upper: probability });
const signed = z.number().min(-1).max(1);
const signedInterval = z.strictObject({ lower: signed, upper: signed });
const split = z.enum(['train', 'valid', 'test']);

const modelSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string().min(1),
  family: z.enum(['baseline', 'llm']),
  prompt: z.enum(['none', 'basic', 'ci']),
  retriever: z.enum(['cf', 'base', 'car']).optional(),
  reranker: z.enum(['sare', 'none']).optional(),
  tuning: z.literal('zero-shot').optional(),
  auc: probability,
  uauc: probability,
  uaucUsers: count,
  uaucSkipped: count,
  logLoss: z.number().min(0),
  aucInterval: interval.optional(),
  uaucInterval: interval.optional(),
  differences: z
    .array(z.strictObject({ reference: z.string().min(1), auc: signed, aucInterval: signedInterval, uauc: signed, uaucInterval: signedInterval }))
    .optional(),
  seeds: z.strictObject({ count: z.number().int().min(2), aucMean: probability, aucSd: z.number().min(0), uaucMean: probability, uaucSd: z.number().min(0) }).optional(),
});

const sweepPoint = z.strictObject({ k: z.number().int().min(1), auc: probability, uauc: probability, aucInterval: interval.optional(), uaucInterval: interval.optional() });

/** The zod schema of metrics.json ({@link EvaluationMetrics}); strict: unknown keys are errors. */
export const evaluationMetricsSchema = z.strictObject({
  formatVersion: z.literal(1),
  dataset: z.strictObject({
    name: z.string().min(1),
    domain: z.string().min(1),
    statistics: z.strictObject({
      users: count,
      items: count,
      rows: splitCounts,
      positiveRate: z.strictObject({ train: probability, valid: probability, test: probability, all: probability }),
      duplicatesRemoved: count,
      timeRange: z.strictObject({ train: timeRange, valid: timeRange, test: timeRange }),
    }),
  }),
  split: z.enum(['valid', 'test']),
  rows: count,
  splitRows: count.optional(),
  trainRows: z.strictObject({ rows: count, of: count }).optional(),
  bootstrap: z
    .strictObject({ unit: z.literal('user'), paired: z.literal(true), samples: z.number().int().min(1), confidence: z.number().gt(0).lt(1), seed: z.number().int(), users: count })
    .optional(),
  seeds: z
    .strictObject({
      seeds: z.array(z.number().int()).min(1),
      stages: z.array(z.string().min(1)),
      runs: z.array(z.strictObject({ seed: z.number().int(), models: z.array(z.strictObject({ id: z.string().min(1), auc: probability, uauc: probability, logLoss: z.number().min(0) })) })),
    })
    .optional(),
  retrievalFallback: z
    .array(z.strictObject({ variant: z.string().min(1), split, rows: count, fallbackRows: count, rate: probability, beforeFirstSnapshot: count.optional() }))
    .optional(),
  models: z.array(modelSchema),
  sweeps: z.strictObject({ retrieved: z.array(sweepPoint), kept: z.array(sweepPoint), retrained: z.boolean().optional() }),
  stages: z.array(z.strictObject({ name: z.string().min(1), seconds: z.number().min(0), status: z.enum(['done', 'skipped', 'failed']) })),
  notes: z.array(z.string()),
  paper: z.strictObject({
    source: z.string(),
    table2: z.array(z.strictObject({ id: z.string().min(1), label: z.string().min(1), ml1m: figures, games: figures })),
    sweepPeaks: z.strictObject({ retrievedMl1m: z.number().int().min(1), keptMl1m: z.number().int().min(1), keptGames: z.number().int().min(1) }),
  }),
  generatedAt: z.iso.datetime({ offset: true }),
  configHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest (64 lower-case hex digits)'),
}) satisfies z.ZodType<EvaluationMetrics>;
