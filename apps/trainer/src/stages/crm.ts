import path from 'node:path';
import { runCrmStage, type CrmStageResult } from '@score/crm-sasrec';
import type { StageContext, StageResult } from '../pipeline/stage';

/** Folder of a CRM model inside the crm stage folder (`crm/sasrec`, `crm/mf`). */
export function crmModelDir(crmStageDir: string, model: 'sasrec' | 'mf'): string {
  return path.join(crmStageDir, model);
}

function summarize(result: CrmStageResult) {
  return {
    model: result.model,
    objective: result.objective,
    backend: result.backend,
    epochs: result.fit.epochs,
    bestEpoch: result.fit.bestEpoch,
    secondsPerEpoch: result.fit.secondsPerEpoch,
    valid: result.valid,
    test: result.test,
  };
}

/**
 * Stage 0 (method.md, Eq. 3-4): trains the configured CRM (SASRec or MF) on the train split with
 * early stopping on valid, writes its model, corpus user embeddings and top-K_c neighbours to
 * `crm/<model>/`; with `crm.baseline`, also trains the other model for the report.
 */
export async function crmStage(context: StageContext): Promise<StageResult> {
  const { crm } = context.config;
  const datasetDir = context.stageDir('prepare');
  const common = {
    runDir: context.runDir,
    datasetDir,
    objective: crm.objective,
    epochs: crm.epochs,
    seed: context.seed,
    neighbours: crm.neighbours,
    onProgress: context.onProgress,
    logger: context.logger,
    signal: context.signal,
  };
  const sasrecOptions = {
    hiddenSize: crm.hiddenSize,
    blocks: crm.blocks,
    heads: crm.heads,
    maxHistory: crm.maxHistory,
    dropout: crm.dropout,
    learningRate: crm.learningRate,
    weightDecay: crm.weightDecay,
    batchSize: crm.batchSize,
    patience: crm.patience,
  };
  const mfOptions = { embeddingSize: crm.hiddenSize, learningRate: crm.learningRate, weightDecay: crm.weightDecay, batchSize: crm.batchSize, patience: crm.patience, maxHistory: crm.maxHistory };
  const run = (model: 'sasrec' | 'mf') =>
    runCrmStage({ ...common, model, outputDir: crmModelDir(context.outputDir, model), modelOptions: model === 'sasrec' ? sasrecOptions : mfOptions });
  const main = await run(crm.model);
  context.logger.info(`crm: ${crm.model} written to ${crmModelDir(path.join(context.runDir, 'crm'), crm.model)}`);
  const other = crm.model === 'sasrec' ? 'mf' : 'sasrec';
  const baseline = crm.baseline ? await run(other) : undefined;
  return {
    summary: {
      model: crm.model,
      neighbours: main.neighbours,
      corpusUsers: main.corpusUsers,
      popularity: main.popularity,
      models: { [main.model]: summarize(main), ...(baseline ? { [baseline.model]: summarize(baseline) } : {}) },
    },
  };
}
