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
