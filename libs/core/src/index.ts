export { SPLIT_NAMES } from './ids';
export type { Domain, ItemId, SplitName, UserId } from './ids';
export type { Item } from './item';
export type { Interaction, Row } from './interaction';
export type { Dataset, DatasetStatistics } from './dataset';
export { cosineSimilarity, createMatrix, matrixRow } from './matrix';
export { offerTopK } from './top-k';
export type { NumberSlots } from './top-k';
export type { Float32Matrix } from './matrix';
export { silentLogger } from './progress';
export type { Logger, ProgressCallback, ProgressEvent } from './progress';
export type {
  CollaborativeRecommender,
  RecommenderFitOptions,
  RecommenderFitReport,
  ScoringInput,
} from './recommender';
export type { EmbedOptions, TextEmbeddingModel } from './text-embedding-model';
export type { VectorHit, VectorIndex, VectorRecord, VectorSearchOptions } from './vector-index';
export type {
  GenerateOptions,
  GenerateResult,
  LanguageModel,
  ScoreYesNoOptions,
  TokenUsage,
  YesNoScore,
} from './language-model';
export type { RerankCandidate, Reranker, RerankRequest, RerankResult } from './reranker';
export type { RetrievalTarget, RetrievedUser, UserRetriever } from './retriever';
export {
  ArtifactNotFoundError,
  BackendUnavailableError,
  DataFormatError,
  DimensionMismatchError,
  EmptySplitError,
  InvalidOptionError,
  LanguageModelError,
  ModelMismatchError,
  ScoreError,
  UnknownIdError,
} from './errors';
export { createRandom } from './random';
export type { RandomAlgorithm, RandomOptions, RandomSource } from './random';
export {
  checkInteger,
  checkIntegerOrInfinity,
  checkMethods,
  checkNumber,
  checkObject,
  checkOneOf,
  checkOptionalObject,
  describeValue,
  integerOption,
  numberOption,
  stringOption,
} from './option-checks';
export type { NumberBounds } from './option-checks';
export {
  commitFolder,
  createTemporaryFolder,
  replaceFolder,
  temporaryPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
  writeJsonAtomic,
  writeLinesAtomic,
} from './atomic-write';
export type { AtomicWriteData } from './atomic-write';
export { readJsonFile } from './read-json-file';
export type { ReadJsonFileOptions } from './read-json-file';
export { float16BitsToFloat32, float32ToFloat16Bits } from './float16';
export { LruCache } from './lru-cache';
export type { LruCacheOptions } from './lru-cache';
export { startModuleWorker } from './module-worker';
export { BatchThreads, serveBatchThread } from './batch-threads';
export type { BatchThreadJob, BatchThreadMessage, BatchThreadRequest, StartBatchThreadsOptions, ThreadError } from './batch-threads';
