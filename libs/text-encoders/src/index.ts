export type {
  SpecialTokenIds,
  Tokenizer,
  TokenizerBatchEncoding,
  TokenizerBatchOptions,
  TokenizerDecodeOptions,
  TokenizerEncodeOptions,
  TokenizerEncoding,
  TokenizerJson,
} from './tokenizer';
export { bpeTokenizerModel } from './tokenizer';
export { loadTokenizer, tokenizerFromJson } from './hf-tokenizer';
export { trainTokenizer } from './train-tokenizer';
export type { TrainedSpecialTokens, TrainTokenizerOptions } from './train-tokenizer';
export { createOnnxEncoder, OnnxEncoder } from './onnx-encoder';
export type { OnnxEncoderOptions } from './onnx-encoder';
export type { EncoderInputs, TrainableTextEncoder } from './trainable-encoder';
export { BertEncoder, createBertEncoder, loadBertEncoder, PRETRAINED_BERT_BATCH } from './bert-encoder';
export type { BertEncoderOptions, LoadBertEncoderOptions } from './bert-encoder';
export { bertConfigFromJson, bertConfigToJson } from './bert-config';
export type { BertConfig } from './bert-config';
export { createPooledEncoder, loadPooledEncoder, POOLED_MODEL_TYPE, PooledEncoder } from './pooled-encoder';
export type { LoadPooledEncoderOptions, PooledEncoderConfig, PooledEncoderOptions } from './pooled-encoder';
export { loadTrainableEncoder } from './load-trainable-encoder';
export { trainableVariablesOfTopLayers } from './top-layer-variables';
export type { LoadTrainableEncoderOptions } from './load-trainable-encoder';
export { l2Normalize, meanPool, pool } from './pooling';
export type { PoolingMode } from './pooling';
export { infoNceLoss } from './info-nce-loss';
export { cachedEmbeddingGradients } from './cached-embedding-gradients';
export type { CachedEmbeddingGradients, CachedEmbeddingGradientsOptions } from './cached-embedding-gradients';
export type { InfoNceOptions } from './info-nce-loss';
export { contrastiveBatch, gradientChunkTexts } from './contrastive-batch';
export type { ContrastiveBatchOptions, ContrastiveTrainingOptions } from './contrastive-batch';
export { bertToOnnxBytes, exportBertToOnnx } from './export-bert-to-onnx';
export { OnnxGraphBuilder } from './onnx-graph-builder';
export type { OnnxAttribute, OnnxElementType } from './onnx-graph-builder';
export type { ExportBertToOnnxOptions } from './export-bert-to-onnx';
export { ensureBertOnnxExport, ONNX_EXPORT_RECORD } from './bert-onnx-export';
export type { EnsureBertOnnxExportOptions } from './bert-onnx-export';
export { checkEncoderInference, createBertOnnxInference, ENCODER_INFERENCES, loadInferenceEncoder, withInferenceEncoder } from './onnx-inference';
export type { EncoderInference, LoadInferenceEncoderOptions, OnnxInferenceOptions } from './onnx-inference';
export { embedBatches } from './encoder-base';
export { openThreadedTextEncoder, ThreadedTextEncoder } from './threaded-text-encoder';
export type { EncoderThreadMessage, EncoderThreadRequest, EncoderThreadSource, ThreadedTextEncoderOptions } from './threaded-text-encoder';
