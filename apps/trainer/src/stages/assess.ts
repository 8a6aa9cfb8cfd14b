import path from 'node:path';
import { loadCarRetriever } from '@score/car-retriever';
import { loadDataset } from '@score/data';
import { type Assessor, createLlmAssessor, createMetadataAssessor, runAssessStage } from '@score/self-assess';
import type { StageContext, StageResult } from '../pipeline/stage';
import { openFixedEmbedder } from './encoders';
import { openCachedLanguageModel } from './llm-cache';

/**
 * Stage 2a: self-assessment (Eq. 7) of sampled training pairs by the configured LLM, or by the
 * metadata assessor when `assess.llm` is "metadata" (named in the report), then ranking generation
 * (Eq. 8-9): the K_e users CAR retrieves for each pair, ordered by cosine to the assessment.
 */
export async function assessStage(context: StageContext): Promise<StageResult> {
  const { assess, car } = context.config;
  const datasetDir = context.stageDir('prepare');
  const dataset = await loadDataset(datasetDir);
  const llamacpp = assess.llmThreads === undefined ? {} : { llamacpp: { threads: assess.llmThreads } };
  const model = assess.llm === 'metadata' ? undefined : await openCachedLanguageModel(assess.llm, context.runDir, llamacpp);
  const assessor: Assessor = model ? createLlmAssessor({ model, domain: dataset.domain, ...(assess.maxTokens === undefined ? {} : { maxTokens: assess.maxTokens }) }) : createMetadataAssessor({ dataset });
  if (!model) context.logger.warn('assess: no LLM configured (assess.llm = metadata); assessments are written by the metadata assessor, a non-LLM fallback.');
  const retriever = await loadCarRetriever(context.stageDir('car'), { variant: 'car', dataset, inference: context.config.encoders.inference });
  const texts = dataset.users.slice(0, 2000).map((user) => dataset.positives(user).map((id) => dataset.items.get(id)?.title ?? id).join(', '));
  const embedder = await openFixedEmbedder(assess.embedder, context, texts);
  try {
    const report = await runAssessStage({
      runDir: context.runDir,
      outputDir: context.outputDir,
      // report.json names the files where the stage's folder ends up, not the temporary one.
      finalDir: path.join(context.runDir, 'assess'),
      dataset,
      assessor,
      retriever,
      embedder,
      sample: assess.sample,
      seed: context.seed,
      candidates: car.retrieved,
      concurrency: assess.concurrency,
      ...(assess.maxUnusable === undefined ? {} : { maxUnusable: assess.maxUnusable }),
      onProgress: context.onProgress,
      logger: context.logger,
      signal: context.signal,
    });
    context.logger.info(`assess: ${report.pairs} assessments (${report.assessor.description}) and rankings written to ${path.join(context.runDir, 'assess')}`);
    return { summary: JSON.parse(JSON.stringify(report)) as Record<string, unknown> };
  } finally {
    await embedder.dispose();
    await retriever.dispose();
    await model?.dispose();
  }
}
