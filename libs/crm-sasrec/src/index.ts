export { createSasrec, SasrecRecommender } from './sasrec';
export { createMatrixFactorization, MatrixFactorizationRecommender } from './matrix-factorization';
export { EmbeddingRecommender } from './embedding-recommender';
export type { RecommenderConfig } from './embedding-recommender';
export { loadRecommender } from './load-recommender';
export type { LoadRecommenderOptions, RecommenderModelName } from './load-recommender';
export { computeNeighbours } from './neighbours';
export type { NeighbourLists, NeighbourOptions } from './neighbours';
export { itemPopularityScores } from './item-popularity';
export { runCrmStage } from './crm-stage';
export type { CrmSplitMetrics, CrmStageOptions, CrmStageResult, NeighbourEntry, PopularitySplitMetrics } from './crm-stage';
export { CRM_OBJECTIVES } from './options';
export type {
  CrmObjective,
  MatrixFactorizationOptions,
  RecommenderTrainingOptions,
  SasrecOptions,
} from './options';
export { GradientWorkerError, ModelNotTrainedError } from './errors';
