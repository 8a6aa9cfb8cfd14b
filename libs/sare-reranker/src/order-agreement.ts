import { kendallTau, ndcgAtK } from '@score/metrics';

/** How well orders agree with the reference orders O. */
export interface OrderAgreement {
  /** Mean NDCG@K_s against O (see {@link orderAgreement}). */
  readonly ndcg: number;
  /** Mean Kendall tau-b against O over the full candidate lists. */
  readonly kendallTau: number;
  /** Examples averaged. */
  readonly examples: number;
}

/**
 * Agreement of one predicted order with the reference order O: NDCG@k where a candidate at
 * position p (0-based) of O, among n, has relevance n - p (linear gain, so the ideal top-k is O's
 * own), and Kendall's tau-b over the whole list.
 */
export function orderAgreement(predicted: readonly string[], reference: readonly string[], k: number): { readonly ndcg: number; readonly kendallTau: number } {
  const relevance = new Map(reference.map((id, position) => [id, reference.length - position]));
  return { ndcg: ndcgAtK(predicted, relevance, k), kendallTau: kendallTau(predicted, reference) };
}

/** Mean {@link orderAgreement} over pairs of (predicted, reference) orders; NaN values are skipped. */
export function meanOrderAgreement(orders: readonly { readonly predicted: readonly string[]; readonly reference: readonly string[] }[], k: number): OrderAgreement {
  let ndcgSum = 0;
  let ndcgCount = 0;
  let tauSum = 0;
  let tauCount = 0;
  for (const { predicted, reference } of orders) {
    const agreement = orderAgreement(predicted, reference, k);
    if (!Number.isNaN(agreement.ndcg)) {
      ndcgSum += agreement.ndcg;
      ndcgCount += 1;
    }
    if (!Number.isNaN(agreement.kendallTau)) {
      tauSum += agreement.kendallTau;
      tauCount += 1;
    }
  }
  return { ndcg: ndcgCount === 0 ? Number.NaN : ndcgSum / ndcgCount, kendallTau: tauCount === 0 ? Number.NaN : tauSum / tauCount, examples: orders.length };
}
