export { auc } from './auc';
export { uauc } from './uauc';
export { gauc } from './gauc';
export type { GroupedAucResult } from './grouped-auc';
export { logLoss } from './log-loss';
export type { LogLossOptions } from './log-loss';
export { accuracy } from './accuracy';
export type { AccuracyOptions } from './accuracy';
export { bootstrapAucInterval } from './bootstrap-auc-interval';
export type { BootstrapAucInterval, BootstrapAucOptions } from './bootstrap-auc-interval';
export { createRandom, randomInteger, shuffleInPlace } from './random';
export type { RandomSource } from './random';
export { ndcgAtK } from './ndcg-at-k';
export type { NdcgOptions } from './ndcg-at-k';
export { recallAtK } from './recall-at-k';
export { kendallTau } from './kendall-tau';
export type { RankingWithTies } from './kendall-tau';
export { evaluateCtr } from './evaluate-ctr';
export type { CtrEvaluation, CtrEvaluationInput } from './evaluate-ctr';
export { pairedUserBootstrap } from './paired-user-bootstrap';
export type {
  BootstrapDifference,
  BootstrapEstimate,
  BootstrapModelIntervals,
  BootstrapModelScores,
  PairedUserBootstrap,
  PairedUserBootstrapInput,
  PairedUserBootstrapOptions,
} from './paired-user-bootstrap';
