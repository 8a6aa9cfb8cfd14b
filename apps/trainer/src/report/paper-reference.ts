/** One model's published test-split figures on one dataset. */
export interface PaperFigures {
  /** AUC over all test rows. */
  readonly auc: number;
  /** Mean per-user AUC. */
  readonly uauc: number;
}

/** One row of the paper's Table 2. */
export interface PaperModelRow {
  /** The model id this row corresponds to in a run (see {@link MODEL_IDS}), or the paper's own id for models this project does not run. */
  readonly id: string;
  /** The name the paper uses. */
  readonly label: string;
  /** Test-split figures on MovieLens-1M. */
  readonly ml1m: PaperFigures;
  /** Test-split figures on Amazon Games. */
  readonly games: PaperFigures;
}

/** Where the paper's sensitivity curves (Fig. 4) peak. */
export interface PaperSweepPeaks {
  /** K_e (users retrieved by CAR) with the best results on ML-1M. */
  readonly retrievedMl1m: number;
  /** K_s (users kept after SARE) with the best results on ML-1M. */
  readonly keptMl1m: number;
  /** K_s with the best results on Amazon Games. */
  readonly keptGames: number;
}

/** The paper's numbers that a report shows for reference. */
export interface PaperReference {
  /** Where the numbers come from. */
  readonly source: string;
  /** Table 2 rows, in the paper's order. */
  readonly table2: readonly PaperModelRow[];
  /** Fig. 4 peaks. */
  readonly sweepPeaks: PaperSweepPeaks;
}

/** The ids of the models an evaluation run scores; reports and orderings look models up by them. */
export const MODEL_IDS = Object.freeze({
  /** Item popularity in the training split. */
  popularity: 'popularity',
  /** Matrix factorisation. */
  mf: 'mf',
  /** SASRec, the CRM. */
  sasrec: 'sasrec',
  /** The LM with the basic prompt P^b (no collaborative information, TALLRec-like). */
  basicPrompt: 'llm-basic',
  /** The LM with P^s filled from CRM neighbours (SCoRe-cf). */
  scoreCf: 'score-cf',
  /** The LM with P^s filled by the untuned retriever (SCoRe-base). */
  scoreBase: 'score-base',
  /** The LM with P^s filled by CAR without SARE reranking. */
  scoreNoSare: 'score-no-sare',
  /** Full SCoRe: CAR, SARE, P^s. */
  score: 'score',
} as const);

/** The paper's Table 2 (test split) and Fig. 4 peaks, as restated in docs/method.md. */
export const PAPER_REFERENCE: PaperReference = Object.freeze({
  source: 'Xin et al., "LLMs as Better Recommenders with Natural Language Collaborative Signals", Table 2 and Fig. 4',
  table2: Object.freeze([
    { id: MODEL_IDS.mf, label: 'MF', ml1m: { auc: 0.6063, uauc: 0.581 }, games: { auc: 0.5311, uauc: 0.5263 } },
    { id: 'lightgcn', label: 'LightGCN', ml1m: { auc: 0.6114, uauc: 0.639 }, games: { auc: 0.548, uauc: 0.5019 } },
    { id: 'gru4rec', label: 'GRU4Rec', ml1m: { auc: 0.6958, uauc: 0.6703 }, games: { auc: 0.6134, uauc: 0.5679 } },
    { id: MODEL_IDS.sasrec, label: 'SASRec', ml1m: { auc: 0.7, uauc: 0.6794 }, games: { auc: 0.6111, uauc: 0.58 } },
    { id: MODEL_IDS.basicPrompt, label: 'TALLRec (LLM, no CI)', ml1m: { auc: 0.7242, uauc: 0.6721 }, games: { auc: 0.6763, uauc: 0.6096 } },
    { id: 'binllm', label: 'BinLLM', ml1m: { auc: 0.7423, uauc: 0.7044 }, games: { auc: 0.6756, uauc: 0.5961 } },
    { id: MODEL_IDS.score, label: 'SCoRe', ml1m: { auc: 0.7367, uauc: 0.719 }, games: { auc: 0.6933, uauc: 0.6353 } },
  ]),
  sweepPeaks: Object.freeze({ retrievedMl1m: 15, keptMl1m: 2, keptGames: 1 }),
});

/** The paper's Table 2 row for a run's model id, if the paper reports that model. */
export function paperRowFor(modelId: string, reference: PaperReference = PAPER_REFERENCE): PaperModelRow | undefined {
  return reference.table2.find((row) => row.id === modelId);
}
