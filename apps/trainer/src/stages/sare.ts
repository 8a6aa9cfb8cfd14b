import path from 'node:path';
import { parseEncoderSpec } from '@score/car-retriever';
import { InvalidOptionError } from '@score/core';
import { runSareStage } from '@score/sare-reranker';
import type { StageContext, StageResult } from '../pipeline/stage';
import { checkEncoderSpec } from './encoders';

/**
 * Stage 2b: trains SARE (InfoNCE, Eq. 12) to reproduce the self-assessment order O from the
 * filled basic prompt P^b, and reports NDCG@K_s and Kendall's tau against O for CAR's order and
 * for SARE's on held-out pairs.
 */
export async function sareStage(context: StageContext): Promise<StageResult> {
  const { sare } = context.config;
  const spec = parseEncoderSpec(checkEncoderSpec(sare.encoder, 'sare.encoder'), 'sare.encoder');
  if (spec.kind === 'onnx') {
    throw new InvalidOptionError('sare.encoder', `SARE fine-tunes its encoder, and an ONNX model is frozen; use pooled, scratch or bert:PATH instead of "${sare.encoder}".`, sare.encoder);
  }
  const report = await runSareStage({
    runDir: context.runDir,
    rankingsFile: context.artifact('assess', 'rankings.jsonl'),
    outputDir: context.outputDir,
    encoderOptions: {
      ...(spec.kind === 'bert' ? { from: spec.path } : { architecture: spec.kind === 'scratch' ? 'bert' : 'pooled' }),
      ...(sare.maxTokens === undefined ? {} : { maxLength: sare.maxTokens }),
    },
    temperature: sare.tau,
    negativeThreshold: sare.negativeThreshold,
    negatives: sare.negatives,
    batchSize: sare.batchSize,
    epochs: sare.epochs,
    patience: sare.patience,
    ...(sare.gradientChunkTexts === undefined ? {} : { gradientChunkTexts: sare.gradientChunkTexts }),
    lengthSortedChunks: sare.lengthSortedChunks,
    ...(sare.learningRate === undefined ? {} : { learningRate: sare.learningRate }),
    ...(sare.trainLayers === undefined ? {} : { trainLayers: sare.trainLayers }),
    topK: sare.kept,
    seed: context.seed,
    inference: context.config.encoders.inference,
    onProgress: context.onProgress,
    logger: context.logger,
    signal: context.signal,
  });
  const { reranker, ...summary } = report;
  await reranker.dispose();
  context.logger.info(`sare: reranker and report written to ${path.join(context.runDir, 'sare')}`);
  return { summary: JSON.parse(JSON.stringify(summary)) as Record<string, unknown> };
}
