import path from 'node:path';
import { type CarVariant, loadCarRetriever, readCarStageManifest } from '@score/car-retriever';
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

/** Opens the retrievers (car, base, cf) and the SARE reranker of a run for the rec and eval stages. */
export async function openPromptComponents(context: StageContext, dataset: PreparedDataset): Promise<PromptComponents> {
  const carDir = context.stageDir('car');
  const retrievers = {
    car: await loadCarRetriever({ stageDir: carDir, variant: 'car', dataset }),
    base: await loadCarRetriever({ stageDir: carDir, variant: 'base', dataset }),
    cf: await loadCarRetriever({ stageDir: carDir, variant: 'cf', dataset, cf: context.config.car.cfRetrieval }),
  };
  const snapshotTimes = [...readCarStageManifest(carDir).corpus.boundaries];
  const reranker = await loadSareReranker(path.join(context.stageDir('sare')));
  return {
    retrievers,
    reranker,
    snapshotTimes,
    async dispose() {
      await Promise.all([retrievers.car.dispose(), retrievers.base.dispose(), retrievers.cf.dispose(), reranker.dispose()]);
    },
  };
}
