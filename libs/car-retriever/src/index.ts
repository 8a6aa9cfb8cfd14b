export { ANN_INDEX_KINDS, DEFAULT_ANN_INDEX_OPTIONS } from './ann-index-options';
export type { AnnBuildParams, AnnIndexKind, AnnIndexOptions, AnnSearchParams } from './ann-index-options';
export type { VectorMetric } from './ann-index-config';
export { LanceVectorIndex } from './lance-vector-index';
export type {
  AnnBuildReport,
  LanceSearchOptions,
  LanceVectorCopyOptions,
  LanceVectorHit,
  LanceVectorIndexOptions,
  LanceVectorRecord,
  MeasureRecallOptions,
  RecallReport,
} from './lance-vector-index';
export { annRecallAtK } from './ann-recall-at-k';
export { BehaviourCorpus, buildBehaviourCorpus, describeBehaviour, snapshotBoundaries } from './behaviour-corpus';
export type { BehaviourCorpusOptions, BehaviourEntry, DescribeItems, SnapshotCount, SnapshotInterval, SnapshotSpec } from './behaviour-corpus';
export { SnapshotIndexes, writeSnapshotIndexes } from './snapshot-indexes';
export type { WriteSnapshotIndexesOptions } from './snapshot-indexes';
export { createEmbeddingNeighbourRetriever } from './embedding-neighbour-retriever';
export type { EmbeddingNeighbourRetrieverOptions, EmbedUsers } from './embedding-neighbour-retriever';
export { indexBehaviourCorpus } from './index-behaviour-corpus';
export type { EmbedTexts, IndexBehaviourCorpusOptions } from './index-behaviour-corpus';
export { createCorpusRetriever } from './corpus-retriever';
export { createDatasetRetriever } from './create-dataset-retriever';
export type { DatasetRetriever, DatasetRetrieverOptions } from './create-dataset-retriever';
export type { CorpusRetriever, CorpusRetrieverOptions } from './corpus-retriever';
export { createNeighbourRetriever } from './neighbour-retriever';
export type { CollaborativeNeighbour, NeighbourRetrieverOptions } from './neighbour-retriever';
export { cosineTopK } from './cosine-top-k';
export { evaluateRetrieval, futureOverlap, neighbourRecall, topNeighbours } from './retrieval-metrics';
export type { CorpusText, EvaluateRetrievalOptions, FutureOverlap, FutureOverlapOptions, RetrievalEvaluation } from './retrieval-metrics';
export { trainCar } from './car-training';
export type { CarEpoch, CarPositives, CarTrainingReport, TrainCarOptions } from './car-training';
export { createCarEncoder, formatEncoderSpec, parseEncoderSpec } from './car-encoder';
export type { CarEncoder, CarEncoderSpec, CreateCarEncoderOptions } from './car-encoder';
export { readNeighboursFile, writeNeighboursFile } from './neighbours-file';
export { readCarStageManifest } from './car-stage-manifest';
export type { CarEncoderLocation, CarStageManifest, CarVariantFiles } from './car-stage-manifest';
export { runCarStage } from './car-stage';
export type { CarStageOptions, CarStageResult, CarVariantMetrics } from './car-stage';
export { CAR_VARIANTS, CF_RETRIEVALS, loadCarRetriever } from './load-car-retriever';
export type { CarVariant, CfRetrieval, LoadCarRetrieverOptions } from './load-car-retriever';
