import { ScoreError } from '@score/core';

/** A recommender was asked to score or save before it was trained or loaded. */
export class ModelNotTrainedError extends ScoreError {
  /** The model family, e.g. "sasrec". */
  readonly model: string;

  constructor(model: string, action: string) {
    super(`The ${model} recommender cannot ${action} before it is trained with fit() or loaded with loadRecommender().`, { code: 'MODEL_NOT_TRAINED' });
    this.model = model;
  }
}

/** A gradient worker thread failed to start or to compute a batch's gradients. */
export class GradientWorkerError extends ScoreError {
  /** Index of the worker that failed. */
  readonly worker: number;

  constructor(worker: number, message: string, cause?: unknown) {
    super(`SASRec gradient worker ${worker} failed: ${message} Train with "workers: 1" to run in the calling thread instead.`, { code: 'GRADIENT_WORKER', cause });
    this.worker = worker;
  }
}
