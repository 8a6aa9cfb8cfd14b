/**
 * How ratings become binary labels: positive when `rating > threshold`, or `rating >= threshold`
 * with `inclusive`.
 */
export interface Binarization {
  /** Rating threshold. */
  readonly threshold: number;
  /** Count `rating == threshold` as positive. @defaultValue false */
  readonly inclusive?: boolean;
}

/**
 * A temporal protocol counted in calendar months (UTC): month `m` of a timestamp is
 * `year * 12 + month` of its UTC date, so every month starts at 00:00:00 UTC on its 1st.
 *
 * The window of kept months is either `window` (first and last month, inclusive) or the last
 * `lastMonths` months counted back from the month of the latest timestamp, after skipping
 * `skipLastMonths` months; without either, every month is kept. Inside the window the first
 * `trainMonths` months are train, the next `validMonths` valid and the next `testMonths` test
 * (the rest of the window when omitted). Without `validMonths`, the rows after the train months
 * are halved by count in (timestamp, file order): the first half (rounded down) is valid and the rest test.
 */
export interface MonthSplitProtocol {
  readonly kind: 'months';
  /** Rating threshold; rows that already carry a `label` keep it. */
  readonly binarize: Binarization;
  /** Months kept, counted back from the latest month. @defaultValue every month (or `window`) */
  readonly lastMonths?: number;
  /** Latest months dropped before `lastMonths` is counted (CoLLM's ML-1M split drops 1). @defaultValue 0 */
  readonly skipLastMonths?: number;
  /** Explicit window of months, `YYYY-MM`, both inclusive; exclusive with `lastMonths`. @defaultValue none */
  readonly window?: { readonly from: string; readonly to: string };
  /** Months of train at the start of the window. */
  readonly trainMonths: number;
  /** Months of valid after train. @defaultValue the rows after train are halved by count */
  readonly validMonths?: number;
  /** Months of test after valid. @defaultValue the rest of the window */
  readonly testMonths?: number;
}

/**
 * Keeps the `split` given by each interaction (the generic format's `split` column) and every
 * row; ratings are binarized with `binarize` when a row has no `label`.
 */
export interface GivenSplitProtocol {
  readonly kind: 'given-split';
  /** Needed when rows carry ratings instead of labels. @defaultValue none */
  readonly binarize?: Binarization;
}

/** Every protocol {@link prepareDataset} applies. */
export type DatasetProtocol = MonthSplitProtocol | GivenSplitProtocol;

/**
 * The ML-1M protocol of CoLLM/BinLLM that SCoRe reuses (method.md, "Data and evaluation protocol"):
 * rating > 3 is positive, the last 20 calendar months, split 10/5/5 months.
 *
 * CoLLM numbers the months of ML-1M 0..34 (April 2000 .. February 2003, UTC) and keeps months
 * 14..33, so the final month (February 2003) is dropped: hence `skipLastMonths: 1`. Train is
 * June 2001 .. March 2002, valid April .. August 2002, test September 2002 .. January 2003,
 * which gives CoLLM's 33,891 / 10,401 / 7,331 rows. (The paper's 839 users and 3,256 items
 * appear to count CoLLM's padding id 0 as well: 838 users and 3,255 items hold rows.)
 */
export const ML1M_PROTOCOL: MonthSplitProtocol = Object.freeze({
  kind: 'months',
  binarize: Object.freeze({ threshold: 3 }),
  lastMonths: 20,
  skipLastMonths: 1,
  trainMonths: 10,
  validMonths: 5,
  testMonths: 5,
});

/**
 * The Amazon-Games protocol of the paper (Appendix A): reviews from January 2013 to December 2017,
 * rating >= 4 is positive, the first 49 months (January 2013 .. January 2017) train, and the
 * remaining rows halved by count into valid and test (Table 1: 14,423 / 14,424).
 */
export const AMAZON_GAMES_PROTOCOL: MonthSplitProtocol = Object.freeze({
  kind: 'months',
  binarize: Object.freeze({ threshold: 4, inclusive: true }),
  window: Object.freeze({ from: '2013-01', to: '2017-12' }),
  trainMonths: 49,
});
