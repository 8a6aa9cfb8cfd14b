export { createSasrec, SasrecRecommender } from './sasrec';
export { createMatrixFactorization, MatrixFactorizationRecommender } from './matrix-factorization';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, EmbeddingRecommender } from './embedding-recommender';
export type { RecommenderConfig } from './embedding-recommender';
export { loadRecommender } from './load-recommender';
export type { LoadRecommenderOptions, RecommenderModelName } from './load-recommender';
export { computeNeighbours } from './neighbours';
export type { NeighbourLists, NeighbourOptions } from './neighbours';
export { itemPopularityScores } from './item-popularity';
export { corpusHistories, evaluateRows, runCrmStage } from './crm-stage';
export type { CrmSplitMetrics, CrmStageOptions, CrmStageResult, NeighbourEntry, PopularitySplitMetrics } from './crm-stage';
export { AUTO_WORKERS_MIN_ROWS, CRM_OBJECTIVES, resolveMatrixFactorizationOptions, resolveSasrecOptions } from './options';
export type {
  CrmObjective,
  MatrixFactorizationOptions,
  RecommenderTrainingOptions,
  ResolvedMatrixFactorizationOptions,
  ResolvedSasrecOptions,
  ResolvedTrainingOptions,
  SasrecOptions,
} from './options';
export { GradientWorkerError, ModelNotTrainedError } from './errors';
export type { RecommenderInput } from './encoded-rows';
export { SasrecNetwork } from './sasrec-network';
export type { SasrecArchitecture, SasrecForwardOptions } from './sasrec-network';
