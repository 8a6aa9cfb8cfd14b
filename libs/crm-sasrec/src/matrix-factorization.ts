import type { Dataset, Row } from '@score/core';
import { type EpochContext, type RandomSource, type TrainingBatch, embeddingLookup, fillNormal, shuffledIndices, tf } from '@score/tfjs-runtime';
import type { EncodedRows } from './encoded-rows';
import { EmbeddingRecommender, type NextItemData, binaryCrossEntropyWithLogits, sampleNegative } from './embedding-recommender';
import { type MatrixFactorizationOptions, type ResolvedMatrixFactorizationOptions, resolveMatrixFactorizationOptions } from './options';

let instances = 0;

/**
 * Matrix factorisation (the paper's MF baseline, as in CoLLM): P(like) = sigmoid(p_u . q_i), no
 * biases. e_u is the user's factor p_u. A user not seen in training (or an input without a
 * user id) is folded in: e_u = the mean of the factors of its last `maxHistory` history items,
 * and the zero vector (P = 0.5) when that history is empty.
 */
export class MatrixFactorizationRecommender extends EmbeddingRecommender {
  /** Model family, "mf". */
  readonly name = 'mf';
  /** The validated options, every default filled. */
  readonly options: ResolvedMatrixFactorizationOptions;
  #weights: Map<string, tf.Variable> | undefined;

  constructor(options: MatrixFactorizationOptions = {}) {
    super();
    this.options = resolveMatrixFactorizationOptions(options);
  }

  /** Size of e_u. */
  get embeddingDimensions(): number {
    return this.options.embeddingSize;
  }

  protected get trainingOptions(): ResolvedMatrixFactorizationOptions {
    return this.options;
  }

  protected get historyLength(): number {
    return this.options.maxHistory;
  }

  protected get usesUserIds(): boolean {
    return true;
  }

  protected get savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  protected get weights(): ReadonlyMap<string, tf.Variable> | undefined {
    return this.#weights;
  }

  protected build(random: RandomSource): void {
    instances += 1;
    const d = this.options.embeddingSize;
    const table = (name: string, rows: number) => {
      const data = fillNormal(new Float32Array((rows + 1) * d), random, this.options.initStd);
      data.fill(0, 0, d); // index 0: padding item / unknown user
      return tf.tidy(() => tf.variable(tf.tensor2d(data, [rows + 1, d]), true, `mf${instances}/${name}`));
    };
    this.#weights = new Map([
      ['user_embedding', table('user_embedding', this.userVocabulary!.size)],
      ['item_embedding', table('item_embedding', this.itemVocabulary!.size)],
    ]);
  }

  protected disposeWeights(): void {
    this.#weights?.forEach((variable) => variable.dispose());
    this.#weights = undefined;
  }

  protected itemTable(): tf.Tensor2D {
    return this.#weights!.get('item_embedding') as tf.Tensor2D;
  }

  protected userVectors(rows: EncodedRows, training: boolean): tf.Tensor2D {
    const userIds = tf.tensor1d(rows.users, 'int32');
    const factors = embeddingLookup(this.#weights!.get('user_embedding') as tf.Tensor2D, userIds) as tf.Tensor2D;
    if (training) return factors;
    // Fold-in for unknown users: mean of the history items' factors (padding rows are zero).
    const histories = tf.tensor2d(rows.histories, [rows.count, rows.maxHistory], 'int32');
    const counts = tf.maximum(tf.sum(tf.cast(tf.notEqual(histories, 0), 'float32'), -1, true), 1);
    const folded = tf.div(tf.sum(embeddingLookup(this.itemTable(), histories), 1), counts);
    const known = tf.expandDims(tf.cast(tf.notEqual(userIds, 0), 'float32'), 1);
    return tf.add(tf.mul(known, factors), tf.mul(tf.sub(1, known), folded)) as tf.Tensor2D;
  }

  /**
   * Implicit-feedback objective: every (user, liked item) pair of the train split plus one
   * sampled item the user never liked, BCE on both.
   */
  protected nextItemData(_dataset: Dataset, trainRows: readonly Row[]): NextItemData {
    const users: number[] = [];
    const items: number[] = [];
    const liked = new Map<number, Set<number>>();
    for (const row of trainRows) {
      if (row.label !== 1) continue;
      const user = this.userVocabulary!.indexOf(row.userId);
      const item = this.itemVocabulary!.indexOf(row.itemId);
      users.push(user);
      items.push(item);
      let set = liked.get(user);
      if (!set) liked.set(user, (set = new Set()));
      set.add(item);
    }
    return { rows: users.length, batches: (context) => this.#pairBatches(Int32Array.from(users), Int32Array.from(items), liked, context) };
  }

  *#pairBatches(users: Int32Array, items: Int32Array, liked: Map<number, Set<number>>, { batchSize, random }: EpochContext): Iterable<TrainingBatch> {
    const order = shuffledIndices(users.length, random);
    const itemCount = this.itemVocabulary!.size;
    for (let start = 0; start < users.length; start += batchSize) {
      const count = Math.min(users.length, start + batchSize) - start;
      const batchUsers = new Int32Array(count);
      const positives = new Int32Array(count);
      const negatives = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const row = order[start + i]!;
        batchUsers[i] = users[row]!;
        positives[i] = items[row]!;
        negatives[i] = sampleNegative(itemCount, liked.get(users[row]!)!, random);
      }
      yield {
        size: count,
        loss: () => {
          const factors = embeddingLookup(this.#weights!.get('user_embedding') as tf.Tensor2D, tf.tensor1d(batchUsers, 'int32'));
          const positive = tf.sum(tf.mul(factors, embeddingLookup(this.itemTable(), tf.tensor1d(positives, 'int32'))), -1);
          const negative = tf.sum(tf.mul(factors, embeddingLookup(this.itemTable(), tf.tensor1d(negatives, 'int32'))), -1);
          return tf.mean(tf.add(binaryCrossEntropyWithLogits(positive, tf.onesLike(positive)), binaryCrossEntropyWithLogits(negative, tf.zerosLike(negative)))) as tf.Scalar;
        },
      };
    }
  }
}

/** Creates an untrained MF recommender; options are validated here. */
export function createMatrixFactorization(options: MatrixFactorizationOptions = {}): MatrixFactorizationRecommender {
  return new MatrixFactorizationRecommender(options);
}
