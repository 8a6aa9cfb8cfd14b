import path from 'node:path';
import type { Dataset, ItemId, Logger, ProgressCallback, RetrievalTarget, RetrievedUser, TextEmbeddingModel, UserId, UserRetriever } from '@score/core';
import { checkMethods, checkObject, createMatrix, integerOption, LruCache, silentLogger, stringOption, writeJsonAtomic, writeLinesAtomic } from '@score/core';
import { loadDataset } from '@score/data';
import { kendallTau } from '@score/metrics';
import { basicPrompt, type DescribeHistoryOptions } from '@score/prompt-kit';
import type { AssessmentPair, AssessmentRecord, Assessor } from './assessment';
import { generateAssessments } from './generate-assessments';
import { type BehaviourCandidate, orderByCosine } from './rank-by-assessment';
import { sampleAssessmentPairs, type SampleAssessmentPairsOptions } from './sample-assessment-pairs';

/** Folder of the assess stage inside a run folder. */
export const ASSESS_FOLDER = 'assess';
/** File names the assess stage writes into `<runDir>/assess/`. */
export const ASSESS_FILES = Object.freeze({ assessments: 'assessments.jsonl', rankings: 'rankings.jsonl', report: 'report.json' } as const);

/** A retrieved candidate of a ranking record. */
export interface RankingCandidate {
  readonly userId: UserId;
  /** d(H(u_i)) as the retriever returned it (behaviour before the pair's time only). */
  readonly behaviour: string;
  /** The retriever's score (its order is CAR's order). */
  readonly retrievalScore: number;
  /** cos(TxtEmb(r_t), TxtEmb(behaviour)) (method.md Eq. 9). */
  readonly assessmentScore: number;
}

/** One line of `rankings.jsonl`: a pair, its K_e retrieved users and their order O (Eq. 8-9). */
export interface RankingRecord {
  /** The pair id, `<userId>:<itemId>@<timestamp>`. */
  readonly id: string;
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly timestamp: number;
  readonly rowIndex: number;
  readonly label: 0 | 1;
  /** The basic prompt P^b filled for the pair (SARE's query p_t, Eq. 10). */
  readonly query: string;
  /** Who wrote the assessment ("metadata" or "llm:<modelId>"). */
  readonly assessmentSource: string;
  /** The retrieved users in the retriever's order (best first). */
  readonly candidates: readonly RankingCandidate[];
  /** O(u_t, v_t): the candidates' user ids ordered by `assessmentScore`, highest first. */
  readonly order: readonly UserId[];
}

/** Options of {@link runAssessStage}. */
export interface AssessStageOptions extends SampleAssessmentPairsOptions {
  /** The run folder; outputs go to `<runDir>/assess/`. */
  readonly runDir: string;
  /** Folder the stage writes to. @defaultValue `<runDir>/assess` */
  readonly outputDir?: string;
  /** Folder `loadDataset` reads when `dataset` is not given. @defaultValue runDir */
  readonly datasetDir?: string;
  /** Who writes the assessments: `createLlmAssessor(...)` or the `createMetadataAssessor(...)` fallback. */
  readonly assessor: Assessor;
  /** Retrieves the K_e candidate users of a pair (CAR), seeing only behaviour before the pair's time. */
  readonly retriever: UserRetriever;
  /** The fixed embedder TxtEmb of Eq. 8. */
  readonly embedder: TextEmbeddingModel;
  /**
   * The dataset.
   * @defaultValue `loadDataset(runDir)` (the prepare stage's output)
   */
  readonly dataset?: Dataset;
  /**
   * K_e, users retrieved per pair (paper: 10).
   * @defaultValue 10
   */
  readonly candidates?: number;
  /**
   * Assessments in flight at once.
   * @defaultValue 4
   */
  readonly concurrency?: number;
  /**
   * Pairs retrieved and embedded together when building rankings.
   * @defaultValue 32
   */
  readonly rankingBatchPairs?: number;
  /**
   * Embeddings of texts kept between chunks (least recently used first out), so that a similar
   * user's behaviour text, met again by many pairs, is embedded once: the embedder is fixed, and
   * a text's row does not depend on the other texts of a pass (up to float rounding of the
   * encoder's batch, as any batching). `0` embeds every chunk's texts afresh.
   * @defaultValue 20000
   */
  readonly embeddingCache?: number;
  /**
   * How P^b describes the history and target (prompt-kit's `describeHistory` options).
   * @defaultValue {}
   */
  readonly description?: DescribeHistoryOptions;
  /**
   * Events of task "assess" (assessments) and "assess.rank" (rankings, unit "pairs").
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Where the stage's folder ends up when `outputDir` is a temporary folder that is renamed
   * afterwards: `report.json` names its files there.
   * @defaultValue the folder the files are written to
   */
  readonly finalDir?: string;
  /**
   * Largest share of the sampled pairs that may be dropped because the LLM gave no usable
   * assessment (see `generateAssessments`); dropped pairs get no ranking and are listed in the report.
   * @defaultValue 0.05
   */
  readonly maxUnusable?: number;
  /** @defaultValue a silent logger */
  readonly logger?: Logger;
  /** Stops the stage; finished assessments stay in the file for a rerun. */
  readonly signal?: AbortSignal;
}

/** `<runDir>/assess/report.json`, also returned by {@link runAssessStage}. */
export interface AssessStageResult {
  readonly stage: 'assess';
  readonly assessor: {
    /** "metadata" or "llm:<modelId>". */
    readonly source: string;
    /** True when the metadata assessor (the non-LLM fallback) wrote the assessments. */
    readonly metadataFallback: boolean;
    readonly description: string;
  };
  /** Pairs sampled (train rows; one per user first, then more per user, see `sampleAssessmentPairs`). */
  readonly pairs: number;
  /** Sampled pairs dropped because the LLM gave no usable assessment (their ids), at most `maxUnusable` of `pairs`. */
  readonly unusable: readonly string[];
  /** Assessments made by this run and found from an earlier run. */
  readonly generated: number;
  readonly reused: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly retriever: string;
  readonly embedder: string;
  /** K_e asked for. */
  readonly candidatesPerPair: number;
  /** Mean number of candidates the retriever returned. */
  readonly meanCandidates: number;
  /** Pairs with fewer than 2 candidates (no order to learn). */
  readonly pairsWithoutOrder: number;
  /** Mean Kendall tau between the retriever's order and O, over pairs with 2+ candidates. */
  readonly retrievalVsAssessmentKendallTau: number;
  readonly seconds: number;
  readonly files: { readonly assessments: string; readonly rankings: string };
}

const METADATA_DESCRIPTION =
  'Metadata fallback (no LLM): each assessment was written from the target item\'s attributes and the items most co-liked with it in the train split before the pair\'s time, not by a language model.';

/**
 * The assess stage (method.md Stage 2, steps 1-2): samples training pairs, writes their
 * assessments to `<runDir>/assess/assessments.jsonl` (resumably, see {@link generateAssessments}),
 * retrieves K_e users for each pair with `retriever` (behaviour before the pair's time only; the
 * pair's own user is dropped if returned), orders them by the assessment (Eq. 8-9) and writes
 * `rankings.jsonl` (see {@link RankingRecord}) and `report.json` (naming the assessor; the
 * metadata fallback is flagged).
 */
export async function runAssessStage(options: AssessStageOptions): Promise<AssessStageResult> {
  checkObject('options', options);
  const runDir = stringOption('runDir', options.runDir);
  checkMethods('assessor', options.assessor, ['assess'], 'an Assessor');
  checkMethods('retriever', options.retriever, ['retrieve'], 'a UserRetriever');
  checkMethods('embedder', options.embedder, ['embed'], 'a TextEmbeddingModel');
  const k = integerOption('candidates', options.candidates, 10, 1);
  const chunkSize = integerOption('rankingBatchPairs', options.rankingBatchPairs, 32, 1);
  const cache = new LruCache<string, Float32Array>({ maxEntries: integerOption('embeddingCache', options.embeddingCache, 20_000, 0) });
  const logger = options.logger ?? silentLogger;
  const { assessor, retriever, embedder, onProgress, signal } = options;
  const started = performance.now();
  const dataset = options.dataset ?? (await loadDataset(options.datasetDir ?? runDir));
  const pairs = sampleAssessmentPairs(dataset, options);
  const folder = options.outputDir ?? path.join(runDir, ASSESS_FOLDER);
  const assessmentsFile = path.join(folder, ASSESS_FILES.assessments);
  const rankingsFile = path.join(folder, ASSESS_FILES.rankings);
  const finalDir = options.finalDir ?? folder;
  logger.info(`Assessing ${pairs.length} pairs with ${assessor.source}.`, { pairs: pairs.length, source: assessor.source });
  const assessed = await generateAssessments({ pairs, assessor, outFile: assessmentsFile, concurrency: options.concurrency, onProgress, logger, signal, ...(options.maxUnusable === undefined ? {} : { maxUnusable: options.maxUnusable }) });
  const dropped = new Set(assessed.unusable.map((entry) => entry.id));
  const rankedPairs = dropped.size === 0 ? pairs : pairs.filter((pair) => !dropped.has(pair.id));

  const { rankings, candidateCount, tauSum, tauCount } = await rankPairs(rankedPairs, assessed.records, dataset, { retriever, embedder, k, chunkSize, cache, options });
  await writeLinesAtomic(rankingsFile, rankings.map((record) => JSON.stringify(record)));

  const metadataFallback = assessed.source === 'metadata';
  const report: AssessStageResult = {
    stage: 'assess',
    assessor: {
      source: assessed.source,
      metadataFallback,
      description: metadataFallback ? METADATA_DESCRIPTION : `Assessments written by the language model ${assessed.source.slice('llm:'.length)} answering the self-assessing prompt (method.md Eq. 7).`,
    },
    pairs: pairs.length,
    unusable: assessed.unusable.map((entry) => entry.id),
    generated: assessed.generated,
    reused: assessed.reused,
    promptTokens: assessed.promptTokens,
    completionTokens: assessed.completionTokens,
    retriever: retriever.variant,
    embedder: embedder.modelId,
    candidatesPerPair: k,
    meanCandidates: rankedPairs.length === 0 ? 0 : candidateCount / rankedPairs.length,
    pairsWithoutOrder: rankings.filter((record) => record.candidates.length < 2).length,
    retrievalVsAssessmentKendallTau: tauCount === 0 ? Number.NaN : tauSum / tauCount,
    seconds: (performance.now() - started) / 1000,
    files: { assessments: path.join(finalDir, ASSESS_FILES.assessments), rankings: path.join(finalDir, ASSESS_FILES.rankings) },
  };
  await writeJsonAtomic(path.join(folder, ASSESS_FILES.report), report);
  logger.info(`Wrote ${rankings.length} rankings.`, { path: rankingsFile, source: assessed.source, metadataFallback });
  return report;
}

/** What {@link rankPairs} works with. */
interface RankingRun {
  readonly retriever: UserRetriever;
  readonly embedder: TextEmbeddingModel;
  /** K_e. */
  readonly k: number;
  /** Pairs retrieved and embedded together. */
  readonly chunkSize: number;
  readonly cache: LruCache<string, Float32Array>;
  readonly options: AssessStageOptions;
}

/**
 * Retrieves K_e users for each pair (its own user dropped), orders them by the cosine of their
 * behaviour to the pair's assessment (Eq. 8-9), `chunkSize` pairs at a time, and sums the Kendall
 * tau between the retriever's order and that order over pairs with 2+ candidates.
 */
async function rankPairs(
  pairs: readonly AssessmentPair[],
  records: readonly AssessmentRecord[],
  dataset: Dataset,
  { retriever, embedder, k, chunkSize, cache, options }: RankingRun,
): Promise<{ rankings: RankingRecord[]; candidateCount: number; tauSum: number; tauCount: number }> {
  const { onProgress, signal } = options;
  const rankings: RankingRecord[] = [];
  let candidateCount = 0;
  let tauSum = 0;
  let tauCount = 0;
  for (let start = 0; start < pairs.length; start += chunkSize) {
    signal?.throwIfAborted();
    const chunk = pairs.slice(start, start + chunkSize);
    const targets = chunk.map((pair) => ({ userId: pair.userId, history: pair.history.map((item) => item.id), before: pair.timestamp }));
    // A retriever that embeds its queries in one batch (CAR's) gets the chunk at once.
    const batched = (retriever as BatchRetriever).retrieveBatch;
    const found = typeof batched === 'function' ? await batched.call(retriever, targets, k) : await Promise.all(targets.map((target) => retriever.retrieve(target, k)));
    const retrieved = found.map((users, i) => users.filter((user) => user.userId !== chunk[i]!.userId));
    const texts: string[] = [];
    const offsets: number[] = [];
    chunk.forEach((pair, i) => {
      offsets.push(texts.length);
      texts.push(records[start + i].text, ...retrieved[i].map((user) => user.behaviour));
    });
    const matrix = await embedCached(embedder, texts, cache, signal);
    chunk.forEach((pair, i) => {
      const users = retrieved[i];
      const candidates: BehaviourCandidate[] = users.map((user) => ({ userId: user.userId, behaviour: user.behaviour }));
      const order = orderByCosine(matrix, offsets[i], candidates, offsets[i] + 1);
      const scoreOf = new Map(order.map((entry) => [entry.userId, entry.score]));
      const record = rankingRecord(pair, records[start + i], dataset, options.description ?? {}, {
        candidates: users.map((user) => ({ userId: user.userId, behaviour: user.behaviour, retrievalScore: user.score, assessmentScore: scoreOf.get(user.userId)! })),
        order: order.map((entry) => entry.userId),
      });
      rankings.push(record);
      candidateCount += users.length;
      if (users.length >= 2) {
        const tau = kendallTau(record.candidates.map((candidate) => candidate.userId), record.order);
        if (!Number.isNaN(tau)) {
          tauSum += tau;
          tauCount += 1;
        }
      }
    });
    onProgress?.({ task: 'assess.rank', done: rankings.length, total: pairs.length, unit: 'pairs', finished: rankings.length === pairs.length || undefined });
  }
  return { rankings, candidateCount, tauSum, tauCount };
}

/** A retriever that may also embed many queries in one pass (the CAR retrievers' `retrieveBatch`). */
type BatchRetriever = UserRetriever & { retrieveBatch?: (targets: readonly RetrievalTarget[], k: number) => Promise<RetrievedUser[][]> };

/** Rows of `texts` in order: cached ones reused, the others (each distinct text once) embedded in one call and cached. */
async function embedCached(embedder: TextEmbeddingModel, texts: readonly string[], cache: LruCache<string, Float32Array>, signal?: AbortSignal) {
  if (cache.maxEntries === 0) return embedder.embed(texts, { signal });
  const missing = [...new Set(texts.filter((text) => cache.get(text) === undefined))];
  const fresh = new Map<string, Float32Array>();
  let width = embedder.dimensions;
  if (missing.length > 0) {
    const matrix = await embedder.embed(missing, { signal });
    width = matrix.cols;
    missing.forEach((text, i) => fresh.set(text, matrix.data.slice(i * width, (i + 1) * width)));
  }
  const out = new Float32Array(texts.length * width);
  texts.forEach((text, i) => out.set(fresh.get(text) ?? cache.get(text)!, i * width));
  for (const [text, row] of fresh) cache.set(text, row);
  return createMatrix(texts.length, width, out);
}

function rankingRecord(
  pair: AssessmentPair,
  assessment: AssessmentRecord,
  dataset: Dataset,
  description: DescribeHistoryOptions,
  ranked: { candidates: RankingCandidate[]; order: UserId[] },
): RankingRecord {
  return {
    id: pair.id,
    userId: pair.userId,
    itemId: pair.itemId,
    timestamp: pair.timestamp,
    rowIndex: pair.rowIndex,
    label: pair.label,
    query: basicPrompt({ domain: dataset.domain, history: pair.history, target: pair.target, description }),
    assessmentSource: assessment.source,
    candidates: ranked.candidates,
    order: ranked.order,
  };
}
