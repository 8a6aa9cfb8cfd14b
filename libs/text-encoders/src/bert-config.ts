import { DataFormatError, ModelMismatchError } from '@score/core';

/** Shape of a BERT-style transformer (the Hugging Face `BertConfig` fields @score uses). */
export interface BertConfig {
  /** Rows of the word-embedding table. */
  readonly vocabSize: number;
  /** Width of every token state (`hidden_size`). */
  readonly hidden: number;
  /** Encoder layers (`num_hidden_layers`). */
  readonly layers: number;
  /** Attention heads per layer; must divide `hidden` (`num_attention_heads`). */
  readonly heads: number;
  /** Width of the feed-forward layer (`intermediate_size`). */
  readonly intermediate: number;
  /** Rows of the position-embedding table (`max_position_embeddings`). */
  readonly maxPositions: number;
  /** Rows of the token-type table (`type_vocab_size`); @score always uses type 0. */
  readonly typeVocabSize: number;
  /** LayerNorm epsilon (`layer_norm_eps`). */
  readonly layerNormEps: number;
}

/** The HF names of every weight of a BERT encoder with `layers` layers, in checkpoint order. */
export function bertWeightNames(layers: number): string[] {
  const names = [
    'embeddings.word_embeddings.weight',
    'embeddings.position_embeddings.weight',
    'embeddings.token_type_embeddings.weight',
    'embeddings.LayerNorm.weight',
    'embeddings.LayerNorm.bias',
  ];
  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    for (const part of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) names.push(`${p}.${part}.weight`, `${p}.${part}.bias`);
    names.push(`${p}.attention.output.LayerNorm.weight`, `${p}.attention.output.LayerNorm.bias`);
    names.push(`${p}.intermediate.dense.weight`, `${p}.intermediate.dense.bias`);
    names.push(`${p}.output.dense.weight`, `${p}.output.dense.bias`);
    names.push(`${p}.output.LayerNorm.weight`, `${p}.output.LayerNorm.bias`);
  }
  return names;
}

/** The shape HF BertModel gives a weight (Linear weights are [out, in]). */
export function bertWeightShape(name: string, config: BertConfig): number[] {
  const { hidden, intermediate } = config;
  if (name === 'embeddings.word_embeddings.weight') return [config.vocabSize, hidden];
  if (name === 'embeddings.position_embeddings.weight') return [config.maxPositions, hidden];
  if (name === 'embeddings.token_type_embeddings.weight') return [config.typeVocabSize, hidden];
  if (name.includes('LayerNorm') || name.endsWith('.bias')) {
    return name.endsWith('intermediate.dense.bias') ? [intermediate] : [hidden];
  }
  if (name.endsWith('intermediate.dense.weight')) return [intermediate, hidden];
  if (/encoder\.layer\.\d+\.output\.dense\.weight$/.test(name)) return [hidden, intermediate];
  return [hidden, hidden];
}

/** Model families whose checkpoints use the BERT weight names (MiniLM, bge, e5 and BERT itself). */
const BERT_FAMILY = new Set(['bert']);

/** Reads a Hugging Face `config.json` object into a {@link BertConfig}; throws for non-BERT architectures. */
export function bertConfigFromJson(json: Record<string, unknown>, source: string): BertConfig {
  const modelType = typeof json['model_type'] === 'string' ? json['model_type'] : 'bert';
  if (!BERT_FAMILY.has(modelType)) {
    throw new ModelMismatchError(
      `model_type "${modelType}" is not supported: loadBertEncoder reads BERT-named checkpoints (model_type "bert": BERT, MiniLM, bge, e5). MPNet, RoBERTa and XLM-R use other weight names; export such a model to ONNX and use createOnnxEncoder instead.`,
      { path: source, expected: 'bert', actual: modelType },
    );
  }
  const int = (key: string, fallback?: number): number => {
    const value = json[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new DataFormatError(`"${key}" must be a positive integer, got ${JSON.stringify(value)}.`, { path: source, field: key });
    }
    return value;
  };
  const act = json['hidden_act'] ?? 'gelu';
  if (act !== 'gelu') {
    throw new ModelMismatchError(`hidden_act "${String(act)}" is not supported; the tfjs transformer implements "gelu" (the exact erf form).`, { path: source, expected: 'gelu', actual: act });
  }
  const positionType = json['position_embedding_type'] ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new ModelMismatchError(`position_embedding_type "${String(positionType)}" is not supported; only "absolute" is.`, { path: source, expected: 'absolute', actual: positionType });
  }
  const config: BertConfig = {
    vocabSize: int('vocab_size'),
    hidden: int('hidden_size'),
    layers: int('num_hidden_layers'),
    heads: int('num_attention_heads'),
    intermediate: int('intermediate_size'),
    maxPositions: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: typeof json['layer_norm_eps'] === 'number' ? json['layer_norm_eps'] : 1e-12,
  };
  if (config.hidden % config.heads !== 0) {
    throw new DataFormatError(`hidden_size ${config.hidden} is not divisible by num_attention_heads ${config.heads}.`, { path: source, field: 'num_attention_heads' });
  }
  return config;
}

/** The Hugging Face `config.json` of a {@link BertConfig}. */
export function bertConfigToJson(config: BertConfig, padTokenId: number): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: config.vocabSize,
    hidden_size: config.hidden,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    intermediate_size: config.intermediate,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    initializer_range: 0.02,
    position_embedding_type: 'absolute',
    pad_token_id: padTokenId,
  };
}
