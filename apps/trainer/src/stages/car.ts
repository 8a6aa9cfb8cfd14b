import path from 'node:path';
import { LanceVectorIndex, readCarStageManifest, runCarStage } from '@score/car-retriever';
import type { StageContext, StageResult } from '../pipeline/stage';
import { checkEncoderSpec } from './encoders';

/**
 * Stage 1: fine-tunes CAR on the CRM's collaborative neighbours (Eq. 6), indexes the behaviour
 * corpus in LanceDB with the tuned and the untuned encoder (one table per `car.snapshots`
 * snapshot), keeps the CRM user embeddings for the `cf` variant, and reports recall@K_e of the CRM
 * neighbours and the overlap with the targets' future positives for base, cf and car.
 */
export async function carStage(context: StageContext): Promise<StageResult> {
  const { car, crm } = context.config;
  const neighboursFile = context.artifact('crm', `${crm.model}/neighbours.json`);
  const result = await runCarStage({
    datasetDir: context.stageDir('prepare'),
    neighboursFile,
    outputDir: context.outputDir,
    encoder: checkEncoderSpec(car.encoder, 'car.encoder'),
    temperature: car.tau,
    batchSize: car.batchSize,
    epochs: car.epochs,
    patience: car.patience,
    ...(car.gradientChunkTexts === undefined ? {} : { gradientChunkTexts: car.gradientChunkTexts }),
    lengthSortedChunks: car.lengthSortedChunks,
    ...(car.maxItems === undefined ? {} : { maxItems: car.maxItems }),
    ...(car.maxTokens === undefined ? {} : { maxTokens: car.maxTokens }),
    ...(car.learningRate === undefined ? {} : { learningRate: car.learningRate }),
    ...(car.trainLayers === undefined ? {} : { trainLayers: car.trainLayers }),
    retrieved: car.retrieved,
    snapshots: car.snapshots,
    ann: { threshold: car.indexThreshold },
    userEmbeddingsFile: context.artifact('crm', `${crm.model}/user-embeddings.safetensors`),
    seed: context.seed,
    inference: context.config.encoders.inference,
    onProgress: context.onProgress,
    logger: context.logger,
    signal: context.signal,
  });
  context.logger.info(`car: encoder, LanceDB indexes and metrics written to ${path.join(context.runDir, 'car')}`);
  if (car.indexUri !== undefined) {
    // Every snapshot table of the "car" variant, as loadCarRetriever(stageDir, { indexUri }) opens them.
    const manifest = readCarStageManifest(context.outputDir);
    for (const table of manifest.corpus.tables) {
      const source = await LanceVectorIndex.create({ dir: path.join(context.outputDir, manifest.variants.car.index), table, mode: 'open' });
      try {
        const copy = await source.copyTo({ dir: car.indexUri, mode: 'overwrite', onProgress: context.onProgress });
        await copy.close();
      } finally {
        await source.close();
      }
    }
    context.logger.info(`car: the CAR index (${manifest.corpus.tables.length} snapshot tables) copied to ${car.indexUri}`);
  }
  return { summary: { ...(JSON.parse(JSON.stringify(result)) as Record<string, unknown>), ...(car.indexUri === undefined ? {} : { indexUri: car.indexUri }) } };
}
