import { ArtifactNotFoundError, InvalidOptionError, checkInteger } from '@score/core';
import { type GgufHeader, readGgufHeader } from '@score/llm-clients';
import { type PullOptions, resolveModelPath } from '@score/model-hub';
import { type Tokenizer, tokenizerFromJson } from '@score/text-encoders';
import fs from 'node:fs';
import type { AnswerWords } from './answer-tokens';
import { type ChatTemplate, createChatTemplate } from './chat-template';
import { ggufLlamaConfig } from './gguf-llama-config';
import { ggufTokenizerConfig, ggufTokenizerJson } from './gguf-tokenizer';
import { createInProcessLanguageModel, type InProcessLanguageModel } from './in-process-language-model';
import { loadGgufLlama } from './load-gguf-llama';
import type { LoraOptions } from './lora-config';
import { createOnnxPrefixBackend } from './onnx-prefix-backend';
import { loadLoraAdapter } from './peft-adapter';

/** What {@link loadGgufTokenizer} returns. */
export interface GgufTokenizer {
  /** The byte-level BPE tokenizer built from the GGUF metadata (`toJSON()` gives its tokenizer.json). */
  readonly tokenizer: Tokenizer;
  /** The chat template (`tokenizer.chat_template`), when the file has one. */
  readonly chatTemplate: ChatTemplate | undefined;
  /** Whether llama.cpp starts a sequence with BOS for this model (`tokenizer.ggml.add_bos_token`, default true). */
  readonly addBos: boolean;
}

/**
 * The tokenizer and chat template of a GGUF file: a `tokenizer.json` built by
 * {@link ggufTokenizerJson} and loaded by `@huggingface/tokenizers`, special tokens from
 * `tokenizer.ggml.*_token_id`.
 */
export function loadGgufTokenizer(filePath: string, header: GgufHeader = readGgufHeader(filePath)): GgufTokenizer {
  const metadata = header.metadata;
  const config = ggufTokenizerConfig(metadata);
  const tokenizer = tokenizerFromJson(ggufTokenizerJson(metadata, filePath), config, filePath);
  const source = metadata['tokenizer.chat_template'];
  const chatTemplate = typeof source === 'string' ? createChatTemplate(source, { ...(typeof config['bos_token'] === 'string' ? { bos: config['bos_token'] } : {}), ...(typeof config['eos_token'] === 'string' ? { eos: config['eos_token'] } : {}) }) : undefined;
  const addBos = metadata['tokenizer.ggml.add_bos_token'];
  return { tokenizer, chatTemplate, addBos: typeof addBos === 'boolean' ? addBos : true };
}

/** Options of {@link loadGgufRecLm}. */
export interface LoadGgufRecLmOptions {
  /** How a `model:NAME` spec is pulled (cache folder, source, progress). @defaultValue `@score/model-hub`'s defaults */
  readonly pull?: PullOptions;
  /** The model's name, checked against adapters' base model. @defaultValue the file's `general.name` */
  readonly name?: string;
  /** Fresh LoRA adapters to attach for tuning (ignored when `adapterDir` is given). @defaultValue none (a frozen model) */
  readonly lora?: LoraOptions;
  /**
   * Tune only the top k blocks: adapters go on blocks n-k .. n-1 (overriding
   * `lora.layersToTransform`) and the frozen blocks below are computed once per prompt and cached
   * ({@link LlamaModel.enablePrefixCache}). Without it every block gets adapters.
   * @defaultValue every block
   */
  readonly topBlocks?: number;
  /** Most bytes the cache of the frozen blocks' states may hold (float16). @defaultValue 2 GiB */
  readonly prefixCacheBytes?: number;
  /**
   * With `topBlocks`: what computes the frozen blocks' states for the cache. "tfjs": the tfjs
   * model, inside the forward pass (one wasm thread); "onnx": an onnxruntime CPU session built in
   * memory from the same dequantized weights ({@link createOnnxPrefixBackend}), run ahead of the
   * forward pass, multi-threaded and many times faster (package README, "The cache pass on
   * onnxruntime"); it holds a second float32 copy of the frozen blocks.
   * @defaultValue "tfjs"
   */
  readonly prefixBackend?: 'tfjs' | 'onnx';
  /** onnxruntime's intra-op threads with `prefixBackend: "onnx"`. @defaultValue onnxruntime's default (one per physical core) */
  readonly prefixThreads?: number;
  /** A PEFT adapter folder (saved by `saveLoraAdapter`) to load onto the model. @defaultValue none */
  readonly adapterDir?: string;
  /**
   * "raw": the prompt's tokens as they are; "chat": the prompt as the user's turn of the file's
   * chat template with the assistant's turn opened, so the answer is the assistant's first token.
   * @defaultValue "raw"
   */
  readonly promptFormat?: 'raw' | 'chat';
  /** System message of the "chat" format. @defaultValue none (the template's own default, if any) */
  readonly systemPrompt?: string;
  /** The answer words; each must be one token. @defaultValue { yes: "Yes", no: "No" } */
  readonly answers?: AnswerWords;
  /** Longest prompt in tokens. @defaultValue 1024 (at most the file's context length) */
  readonly maxPromptTokens?: number;
  /** Prompts per forward pass of `scoreYesNo`. @defaultValue 16 */
  readonly batchSize?: number;
}

/**
 * The GGUF route: a llama-architecture GGUF file, or a `model:NAME` spec of `@score/model-hub`
 * (pulled into its cache on first use; e.g. `model:smollm2-135m-instruct`, Q4_1), loaded into
 * the tfjs Llama with weights dequantized to float32 ({@link loadGgufLlama}), its tokenizer and
 * chat template from the metadata ({@link loadGgufTokenizer}), optionally with LoRA adapters
 * (all blocks, or the top `topBlocks` with the frozen blocks below cached) that `trainRecLm`
 * then trains, or a saved PEFT adapter. Returns the same `InProcessLanguageModel` as
 * `loadHuggingFaceRecLm`.
 */
export async function loadGgufRecLm(file: string, options: LoadGgufRecLmOptions = {}): Promise<InProcessLanguageModel> {
  const filePath = await resolveModelPath(file, options.pull);
  if (!fs.existsSync(filePath)) throw new ArtifactNotFoundError(filePath, 'The GGUF model file');
  const header = readGgufHeader(filePath);
  const { tokenizer, chatTemplate, addBos } = loadGgufTokenizer(filePath, header);
  const format = options.promptFormat ?? 'raw';
  if (format !== 'raw' && format !== 'chat') throw new InvalidOptionError('promptFormat', `must be "raw" or "chat", got ${JSON.stringify(format)}.`, format);
  if (format === 'chat' && !chatTemplate) throw new InvalidOptionError('promptFormat', `is "chat", but ${filePath} has no tokenizer.chat_template.`, format);
  const layers = ggufLlamaConfig(header.metadata, header.tensors.map((tensor) => tensor.name), filePath).numLayers;
  const top = options.topBlocks;
  if (top !== undefined && (!Number.isInteger(top) || top < 1 || top >= layers)) {
    throw new InvalidOptionError('topBlocks', `must be an integer in [1, ${layers - 1}] (the model has ${layers} blocks), got ${top}.`, top);
  }
  const prefixBackend = options.prefixBackend ?? 'tfjs';
  if (prefixBackend !== 'tfjs' && prefixBackend !== 'onnx') throw new InvalidOptionError('prefixBackend', `must be "tfjs" or "onnx", got ${JSON.stringify(prefixBackend)}.`, prefixBackend);
  if (options.prefixThreads !== undefined) checkInteger('prefixThreads', options.prefixThreads, 1);
  const model = loadGgufLlama(filePath, { header, ...(options.name === undefined ? {} : { name: options.name }) });
  try {
    if (options.adapterDir !== undefined) loadLoraAdapter(model, options.adapterDir);
    else if (options.lora || top !== undefined) {
      model.attachLora({ ...options.lora, ...(top === undefined ? {} : { layersToTransform: Array.from({ length: top }, (_, i) => layers - top + i) }) });
    }
    if (top !== undefined) {
      const backend = prefixBackend === 'onnx' ? await createOnnxPrefixBackend(model, { layers: layers - top, ...(options.prefixThreads === undefined ? {} : { threads: options.prefixThreads }) }) : undefined;
      model.enablePrefixCache({ layers: layers - top, ...(options.prefixCacheBytes === undefined ? {} : { maxBytes: options.prefixCacheBytes }), ...(backend ? { backend } : {}) });
    }
    const system = options.systemPrompt;
    const formatPrompt =
      format === 'chat'
        ? (prompt: string): string => chatTemplate!.render([...(system === undefined ? [] : [{ role: 'system' as const, content: system }]), { role: 'user', content: prompt }], { addGenerationPrompt: true })
        : undefined;
    return createInProcessLanguageModel({
      model,
      tokenizer,
      maxPromptTokens: options.maxPromptTokens ?? Math.min(1024, model.config.maxPositionEmbeddings),
      ...(options.answers ? { answers: options.answers } : {}),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      // A chat-formatted prompt starts with the template's own tokens; llama.cpp adds BOS only when the file asks.
      promptEncoding: { addBos: format === 'chat' ? false : addBos, ...(formatPrompt ? { format: formatPrompt } : {}) },
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
}
