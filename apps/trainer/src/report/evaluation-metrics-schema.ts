import { z } from 'zod';
import type { EvaluationMetrics } from './evaluation-metrics';

const probability = z.number().min(0).max(1);
const count = z.number().int().min(0);
const splitCounts = z.strictObject({ train: count, valid: count, test: count });
const timeRange = z.tuple([z.number(), z.number()]).nullable();
const figures = z.strictObject({ auc: probability, uauc: probability });

const modelSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string().min(1),
  family: z.enum(['baseline', 'llm']),
  prompt: z.enum(['none', 'basic', 'ci']),
  retriever: z.enum(['cf', 'base', 'car']).optional(),
  reranker: z.enum(['sare', 'none']).optional(),
  auc: probability,
  uauc: probability,
  uaucUsers: count,
  uaucSkipped: count,
  logLoss: z.number().min(0),
  aucInterval: z.strictObject({ lower: probability, upper: probability }).optional(),
});

const sweepPoint = z.strictObject({ k: z.number().int().min(1), auc: probability, uauc: probability });

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
  models: z.array(modelSchema),
  sweeps: z.strictObject({ retrieved: z.array(sweepPoint), kept: z.array(sweepPoint) }),
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
