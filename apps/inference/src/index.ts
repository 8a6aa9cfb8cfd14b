export { createApp, errorResponse, startServer } from './server';
export type { AppOptions, ErrorBody, RunningServer, ScoreApp, StartServerOptions } from './server';
export type {
  RankedItem,
  RankResult,
  RetrieveRequest,
  ScoreCallOptions,
  ScoreResult,
  ScoreTimings,
  ScoringService,
  SimilarUser,
} from './scoring-service';
export {
  batchScoreRequestSchema,
  formatFieldPath,
  inlineItemSchema,
  MAX_BATCH_REQUESTS,
  MAX_HISTORY_ITEMS,
  MAX_RANK_CANDIDATES,
  parseBatchScoreRequest,
  parseRankRequest,
  rankRequestSchema,
  errorBodySchema,
  similarUserSchema,
  scoreResultSchema,
  batchScoreResponseSchema,
  retrieveResponseSchema,
  itemSchema,
  rankedItemSchema,
  rankResponseSchema,
  healthSchema,
  readySchema,
  parseScoreRequest,
  parseWithSchema,
  scoreRequestSchema,
} from './schemas';
export type { BatchScoreRequest, InlineItem, RankRequest, ScoreRequest } from './schemas';
export { API_VERSION, buildOpenApiDocument, renderReferencePage } from './openapi';
export type { JsonSchema, OpenApiDocument } from './openapi';
export { createServiceMetrics, ServiceMetrics } from './metrics';
export type { LmBatchEvent, MetricsSource, ServiceMetricsOptions } from './metrics';
export { createRunScoringService, createScoringService } from './run-scoring-service';
export type { RunScoringService, RunScoringServiceOptions, ScoringServiceOptions } from './run-scoring-service';
export { createRunLanguageModel, DEFAULT_RUN_COMPONENT_LOADERS, loadRunComponents, loadRunDataset, loadRunRetrievalComponents } from './run-components';
export type { LoadRunComponentsOptions, RunComponentContext, RunComponentLoaders, RunComponents } from './run-components';
export { createDeferredScoringService } from './deferred-scoring-service';
export type { DeferredScoringService } from './deferred-scoring-service';
export { createOverlapRetriever } from './overlap-retriever';
export type { OverlapRetrieverOptions } from './overlap-retriever';
export { createIdentityReranker } from './identity-reranker';
export { LmBatcher } from './lm-batcher';
export type { LmBatcherOptions } from './lm-batcher';
export { LruCache } from '@score/core';
export type { LruCacheOptions } from '@score/core';
export { NonFiniteScoreError, RequestTimeoutError, ServiceNotReadyError, UnknownRequestIdError } from './errors';
export { checkRunFolder, SERVED_STAGES } from './verify-run';
export type { CheckRunFolderOptions, RunFolderCheck, VerifyMode } from './verify-run';
export { WorkerPool } from './worker-pool';
export type { WorkerPoolOptions, WorkerPoolStats } from './worker-pool';
export { loadPooledRunComponents } from './pooled-components';
export type { CancellableRerank, LoadPooledRunComponentsOptions, PooledRunComponents, ScoringWorkerData } from './pooled-components';
export { createPinoLogger } from './pino-logger';
export type { PinoLoggerOptions } from './pino-logger';
export { createServeProgram, serve } from './serve-program';
export type { ServeFlags, ServeHandle, ServeProgramOptions } from './serve-program';
export { createInferProgram } from './infer-program';
export type { InferProgramOptions, InferRankFlags, InferScoreFlags } from './infer-program';
export type { ServiceFlags } from './cli-options';
export { loadRunLanguageModel, readRunPromptSettings } from './run-language-model';
export type { LoadRunLanguageModelOptions, RunPromptSettings } from './run-language-model';
