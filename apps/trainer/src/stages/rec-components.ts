import path from 'node:path';
import { type CarVariant, type EmbedUsers, loadCarRetriever, readCarStageManifest } from '@score/car-retriever';
import { loadRecommender } from '@score/crm-sasrec';
import type { Reranker, UserRetriever } from '@score/core';
import type { PreparedDataset } from '@score/data';
import { loadSareReranker } from '@score/sare-reranker';
import type { StageContext } from '../pipeline/stage';

/** What building prompt sets needs from the run: CAR's three retrievers, SARE, snapshot times. */
export interface PromptComponents {
  readonly retrievers: Record<CarVariant, UserRetriever>;
  readonly reranker: Reranker;
  /** The corpus snapshot boundaries (`car.json`): a row at time t searches the latest one before t. */
  readonly snapshotTimes: readonly number[];
  dispose(): Promise<void>;
}

/**
 * Opens the retrievers (car, base, cf) and the SARE reranker of a run for the rec and eval stages,
 * their BERT encoders on tfjs or onnxruntime as `encoders.inference` says (loader defaults
 * otherwise: a pretrained BERT embeds 8 texts per tfjs pass, see `loadBertEncoder`).
 * With `car.cfRetrieval: embedding`, cf embeds with the run's CRM (`crm.model`): e_ut from the
 * row's history, e_ui from each candidate's snapshot behaviour (items the CRM never saw are left out).
 * `encoderThreads` (the eval stage passes `eval.scoreWorkers`) runs the forward passes of CAR's and
 * SARE's trainable encoders on that many threads with `encoders.inference: tfjs`
 * (`openThreadedTextEncoder`; bitwise the same embeddings, so the same prompts); with `onnx` it is
 * ignored (onnxruntime already uses every core).
 */
export async function openPromptComponents(context: StageContext, dataset: PreparedDataset, options: { encoderThreads?: number } = {}): Promise<PromptComponents> {
  const carDir = context.stageDir('car');
  // encoders.inference: onnx runs the BERT encoders on onnxruntime (its own threads, every core),
  // so encoder threads apply with tfjs only.
  const inference = context.config.encoders.inference;
  const threads = inference === 'tfjs' ? (options.encoderThreads ?? 1) : 1;
  const crm = context.config.car.cfRetrieval === 'embedding' ? loadRecommender(path.join(context.stageDir('crm'), context.config.crm.model)) : undefined;
  const known = new Set(crm?.itemIds ?? []);
  const embedUsers: EmbedUsers | undefined = crm && ((inputs) => crm.userEmbeddings(inputs.map((input) => ({ ...input, history: input.history.filter((id) => known.has(id)) }))));
  const retrievers = {
    car: await loadCarRetriever(carDir, { variant: 'car', dataset, inference, encoderThreads: threads }),
    base: await loadCarRetriever(carDir, { variant: 'base', dataset, inference, encoderThreads: threads }),
    cf: await loadCarRetriever(carDir, { variant: 'cf', dataset, cf: context.config.car.cfRetrieval, ...(embedUsers ? { embedUsers } : {}) }),
  };
  const snapshotTimes = [...readCarStageManifest(carDir).corpus.boundaries];
  const reranker = await loadSareReranker(path.join(context.stageDir('sare')), { inference, threads });
  return {
    retrievers,
    reranker,
    snapshotTimes,
    async dispose() {
      await Promise.all([retrievers.car.dispose(), retrievers.base.dispose(), retrievers.cf.dispose(), reranker.dispose()]);
      crm?.dispose();
    },
  };
}
