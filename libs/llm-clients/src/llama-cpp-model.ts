import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, InvalidOptionError, LanguageModelError, silentLogger, type GenerateOptions, type GenerateResult, type LanguageModel, type Logger, type ScoreYesNoOptions, type YesNoScore } from '@score/core';
import type { ChatWrapper, LlamaChat, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { acquireLlamaRuntime, type LlamaRuntimeLease } from './llama-runtime';
import { readGgufHeader, type GgufHeader } from './read-gguf-header';
import { ResourcePool } from './resource-pool';
import { isAnswerToken, yesNoFromLogits } from './yes-no-score';

const PROVIDER = 'llamacpp';

/** Options of {@link createLlamaCppModel}. */
export interface LlamaCppModelOptions {
  /** Path of the GGUF model file. */
  readonly modelPath: string;
  /**
   * Path of a GGUF LoRA adapter applied on top of the model.
   * @defaultValue none
   */
  readonly loraPath?: string;
  /**
   * Scale of the LoRA adapter.
   * @defaultValue 1
   */
  readonly loraScale?: number;
  /**
   * Context size in tokens of each sequence; a prompt must fit in it.
   * @defaultValue the smaller of 2048 and the model's training context
   */
  readonly contextSize?: number;
  /**
   * GPU backend: `false` for CPU only, `"auto"` to pick one, or a named one.
   * @defaultValue false
   */
  readonly gpu?: false | 'auto' | 'cuda' | 'vulkan' | 'metal';
  /**
   * CPU threads per evaluation; 0 uses every core.
   * @defaultValue llama.cpp's default (every core)
   */
  readonly threads?: number;
  /**
   * Sequences evaluated in parallel (one batch), i.e. prompts in flight at once.
   * @defaultValue 1
   */
  readonly sequences?: number;
  /**
   * Also count "yes"/"no" (any case) as the answers of {@link LanguageModel.scoreYesNo}.
   * @defaultValue false
   */
  readonly caseInsensitive?: boolean;
  /**
   * Model id reported by the model and used in cache keys.
   * @defaultValue the file name of `modelPath`
   */
  readonly modelId?: string;
  /**
   * Whether {@link LanguageModel.generate} sends the prompt as one user turn through the model's
   * chat template (node-llama-cpp's wrapper for the GGUF's `tokenizer.chat_template`) and returns
   * the assistant's answer, as a chat endpoint does; `false` continues the raw prompt text.
   * `"auto"` chats when the GGUF carries a chat template (instruct models such as
   * SmolLM2-135M-Instruct). {@link LanguageModel.scoreYesNo} always reads the raw prompt.
   * @defaultValue "auto"
   */
  readonly chat?: boolean | 'auto';
  /**
   * Receives llama.cpp's warnings and errors.
   * @defaultValue a silent logger
   */
  readonly logger?: Logger;
}

interface ResolvedOptions {
  readonly modelPath: string;
  readonly loraPath?: string;
  readonly loraScale: number;
  readonly contextSize?: number;
  readonly gpu: false | 'auto' | 'cuda' | 'vulkan' | 'metal';
  readonly threads?: number;
  readonly sequences: number;
  readonly caseInsensitive: boolean;
  readonly modelId: string;
  readonly chat: boolean | 'auto';
  readonly logger: Logger;
}

function resolveOptions(options: LlamaCppModelOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'must be an object with at least "modelPath".');
  if (typeof options.modelPath !== 'string' || options.modelPath.length === 0) {
    throw new InvalidOptionError('modelPath', `must be the path of a GGUF file, got ${JSON.stringify(options.modelPath)}.`, options.modelPath);
  }
  if (options.modelPath.startsWith('model:')) {
    throw new InvalidOptionError(
      'modelPath',
      `"${options.modelPath}" names a model of the registry, not a file; resolve it first with resolveModelSpec or resolveModelPath from @score/model-hub (score-train and score-serve do).`,
      options.modelPath,
    );
  }
  if (options.loraPath !== undefined && (typeof options.loraPath !== 'string' || options.loraPath.length === 0)) {
    throw new InvalidOptionError('loraPath', `must be the path of a GGUF LoRA adapter, got ${JSON.stringify(options.loraPath)}.`, options.loraPath);
  }
  const loraScale = options.loraScale ?? 1;
  if (!Number.isFinite(loraScale)) throw new InvalidOptionError('loraScale', `must be a finite number, got ${loraScale}.`, loraScale);
  const positive = (field: string, value: number | undefined, allowZero = false): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < (allowZero ? 0 : 1))) {
      throw new InvalidOptionError(field, `must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}.`, value);
    }
  };
  positive('contextSize', options.contextSize);
  positive('threads', options.threads, true);
  positive('sequences', options.sequences);
  const chat = options.chat ?? 'auto';
  if (chat !== true && chat !== false && chat !== 'auto') throw new InvalidOptionError('chat', `must be true, false or "auto", got ${JSON.stringify(chat)}.`, chat);
  const gpu = options.gpu ?? false;
  if (![false, 'auto', 'cuda', 'vulkan', 'metal'].includes(gpu)) {
    throw new InvalidOptionError('gpu', `must be false, "auto", "cuda", "vulkan" or "metal", got ${JSON.stringify(gpu)}.`, gpu);
  }
  return {
    modelPath: options.modelPath,
    loraPath: options.loraPath,
    loraScale,
    contextSize: options.contextSize,
    gpu,
    threads: options.threads,
    sequences: options.sequences ?? 1,
    caseInsensitive: options.caseInsensitive ?? false,
    modelId: options.modelId ?? path.basename(options.modelPath),
    chat,
    logger: options.logger ?? silentLogger,
  };
}

/**
 * Checks a GGUF file before llama.cpp sees it (magic, version, header, tensors inside the file)
 * and returns its header; a `LanguageModelError` naming the path otherwise.
 */
export function checkGgufFile(filePath: string, what: 'model' | 'LoRA adapter', modelId?: string): GgufHeader {
  const fail = (reason: string, cause?: unknown): never => {
    throw new LanguageModelError(`${filePath} is not a usable GGUF ${what} file: ${reason}`, { provider: PROVIDER, modelId, cause });
  };
  if (!fs.existsSync(filePath)) fail('the file does not exist.');
  if (!fs.statSync(filePath).isFile()) fail('it is not a regular file.');
  let header: GgufHeader;
  try {
    header = readGgufHeader(filePath);
  } catch (error) {
    return fail(error instanceof DataFormatError ? error.message : String(error), error);
  }
  if (typeof header.metadata['general.architecture'] !== 'string') fail('the header has no "general.architecture" key.');
  if (header.tensors.length === 0) fail('it holds no tensors (a vocabulary-only file?).');
  if (what === 'model' && header.metadata['general.type'] === 'adapter') fail('it is an adapter; pass it as "loraPath" with its base model as "modelPath".');
  if (what === 'LoRA adapter' && (header.metadata['general.type'] !== 'adapter' || header.metadata['adapter.type'] !== 'lora')) {
    fail(`its general.type is ${JSON.stringify(header.metadata['general.type'])} and adapter.type is ${JSON.stringify(header.metadata['adapter.type'])}; a LoRA adapter has "adapter" and "lora".`);
  }
  return header;
}

/** Identifies a file's version without reading it: absolute path, size and modification time. */
function fileStamp(filePath: string): { path: string; size: number; modified: number } {
  const stat = fs.statSync(filePath);
  return { path: path.resolve(filePath), size: stat.size, modified: stat.mtimeMs };
}

/** A {@link LanguageModel} running a local GGUF model through node-llama-cpp. */
export class LlamaCppModel implements LanguageModel {
  /** Always "llamacpp". */
  readonly provider = PROVIDER;
  /** The `modelId` option (the model file's name by default). */
  readonly modelId: string;
  /** Context size in tokens of each sequence. */
  readonly contextSize: number;
  readonly #runtime: LlamaRuntimeLease;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #pool: ResourcePool<LlamaContextSequence>;
  readonly #yesTokens: readonly Token[];
  readonly #noTokens: readonly Token[];
  readonly #cacheKeyParameters: Readonly<Record<string, unknown>>;
  /** The chat template generate() applies, when it chats. */
  readonly #chatWrapper: ChatWrapper | undefined;
  #disposed = false;

  private constructor(runtime: LlamaRuntimeLease, model: LlamaModel, context: LlamaContext, options: ResolvedOptions, chatWrapper: ChatWrapper | undefined) {
    const { modelId, caseInsensitive } = options;
    this.#runtime = runtime;
    this.#chatWrapper = chatWrapper;
    this.#cacheKeyParameters = {
      model: fileStamp(options.modelPath),
      lora: options.loraPath === undefined ? null : { ...fileStamp(options.loraPath), scale: options.loraScale },
      caseInsensitive,
      ...(chatWrapper === undefined ? {} : { chat: chatWrapper.wrapperName }),
    };
    this.#model = model;
    this.#context = context;
    this.modelId = modelId;
    this.contextSize = context.contextSize;
    const sequences: LlamaContextSequence[] = [];
    while (context.sequencesLeft > 0) sequences.push(context.getSequence());
    this.#pool = new ResourcePool(sequences);
    this.#yesTokens = this.#answerTokens('Yes', caseInsensitive);
    this.#noTokens = this.#answerTokens('No', caseInsensitive);
    if (this.#yesTokens.length === 0 || this.#noTokens.length === 0) {
      throw new LanguageModelError(
        `The tokenizer has no single token for ${this.#yesTokens.length === 0 ? '"Yes"' : '"No"'} (tried "Yes", " Yes" and their other cases), so Yes/No scoring (method.md, Eq. 14) is impossible with this model.`,
        { provider: PROVIDER, modelId },
      );
    }
  }

  /** Settings that change results; part of response-cache keys (see `withCache`). */
  get cacheKeyParameters(): Readonly<Record<string, unknown>> {
    return this.#cacheKeyParameters;
  }

  /** Loads the model (and adapter) described by `options`. */
  static async create(options: LlamaCppModelOptions): Promise<LlamaCppModel> {
    const resolved = resolveOptions(options);
    const { modelId, logger } = resolved;
    checkGgufFile(resolved.modelPath, 'model', modelId);
    if (resolved.loraPath !== undefined) checkGgufFile(resolved.loraPath, 'LoRA adapter', modelId);

    const runtime = await acquireLlamaRuntime(resolved.gpu, logger);
    const llama = runtime.llama;
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: resolved.modelPath, gpuLayers: resolved.gpu === false ? 0 : 'auto' });
      const context = await model.createContext({
        contextSize: resolved.contextSize ?? Math.min(2048, model.trainContextSize),
        sequences: resolved.sequences,
        threads: resolved.threads,
        lora: resolved.loraPath === undefined ? undefined : { adapters: [{ filePath: resolved.loraPath, scale: resolved.loraScale }] },
      });
      const hasTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === 'string';
      let chatWrapper: ChatWrapper | undefined;
      if (resolved.chat === true || (resolved.chat === 'auto' && hasTemplate)) {
        const binding = await import('node-llama-cpp');
        chatWrapper = binding.resolveChatWrapper(model);
      }
      return new LlamaCppModel(runtime, model, context, resolved, chatWrapper);
    } catch (error) {
      await model?.dispose().catch(() => undefined);
      // llama.cpp's own explanation arrives through the log callback, shortly after the failure.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const explanation = runtime.recentErrors().join(' ');
      await runtime.release().catch(() => undefined);
      if (error instanceof LanguageModelError) throw error;
      throw new LanguageModelError(
        `llama.cpp could not load ${resolved.modelPath}${resolved.loraPath ? ` with the adapter ${resolved.loraPath}` : ''}: ${error instanceof Error ? error.message : String(error)}${explanation ? ` (llama.cpp: ${explanation})` : ''}`,
        { provider: PROVIDER, modelId, cause: error },
      );
    }
  }

  /** Single-token variants of an answer, found with the model's own tokenizer (with and without a leading space). */
  #answerTokens(answer: 'Yes' | 'No', caseInsensitive: boolean): Token[] {
    const spellings = caseInsensitive ? [answer, answer.toLowerCase(), answer.toUpperCase()] : [answer];
    const found = new Set<Token>();
    for (const spelling of spellings) {
      for (const text of [spelling, ` ${spelling}`]) {
        for (const tokens of [this.#model.tokenize(text), this.#model.tokenize(text, false, 'trimLeadingSpace')]) {
          if (tokens.length !== 1) continue;
          const token = tokens[0];
          if (isAnswerToken(this.#model.detokenize([token]), answer, caseInsensitive)) found.add(token);
        }
      }
    }
    return [...found].sort((a, b) => a - b);
  }

  /** The token ids counted as "Yes" and as "No" by {@link LlamaCppModel.scoreYesNo}. */
  get answerTokens(): { readonly yes: readonly Token[]; readonly no: readonly Token[] } {
    return { yes: this.#yesTokens, no: this.#noTokens };
  }

  #promptTokens(prompt: string): Token[] {
    const tokens = this.#model.tokenize(prompt);
    const bos = this.#model.tokens.bos;
    if (this.#model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos) tokens.unshift(bos);
    if (tokens.length === 0) throw new LanguageModelError('The prompt is empty; Yes/No scoring needs at least one token.', { provider: PROVIDER, modelId: this.modelId });
    if (tokens.length >= this.contextSize) {
      throw new LanguageModelError(`The prompt has ${tokens.length} tokens, but the context holds ${this.contextSize}; raise "contextSize" or shorten the prompt.`, { provider: PROVIDER, modelId: this.modelId });
    }
    return tokens;
  }

  #assertOpen(): void {
    if (this.#disposed) throw new LanguageModelError('The model was disposed.', { provider: PROVIDER, modelId: this.modelId });
  }

  async #scoreOne(sequence: LlamaContextSequence, prompt: string): Promise<YesNoScore> {
    const tokens = this.#promptTokens(prompt);
    // Reuse the longest common prefix already evaluated in this sequence.
    const existing = sequence.contextTokens;
    let common = 0;
    while (common < existing.length && common < tokens.length - 1 && existing[common] === tokens[common]) common++;
    if (common < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
    const input = tokens.slice(common).map((token, index, all) =>
      index === all.length - 1 ? ([token, { generateNext: { probabilities: true, options: { temperature: 0 } } }] as [Token, object]) : token,
    );
    const output = await sequence.controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
    const probabilities = output[input.length - 1]?.next.probabilities;
    if (probabilities === undefined) {
      throw new LanguageModelError('llama.cpp returned no next-token probabilities.', { provider: PROVIDER, modelId: this.modelId });
    }
    const sum = (ids: readonly Token[]): number => ids.reduce((total, id) => total + (probabilities.get(id) ?? 0), 0);
    const yes = sum(this.#yesTokens);
    const no = sum(this.#noTokens);
    if (yes === 0 && no === 0) {
      throw new LanguageModelError('Both "Yes" and "No" have probability 0 (float underflow) for this prompt.', { provider: PROVIDER, modelId: this.modelId });
    }
    // Log-probabilities over the full vocabulary; the softmax over the pair equals that of the raw logits (method.md, Eq. 14).
    return yesNoFromLogits(Math.log(yes), Math.log(no));
  }

  /**
   * P(yes) per prompt (method.md, Eq. 14) from the next-token distribution after the prompt;
   * `sequences` prompts are evaluated in parallel (`batchSize` is not used).
   */
  async scoreYesNo(prompts: readonly string[], options: ScoreYesNoOptions = {}): Promise<YesNoScore[]> {
    this.#assertOpen();
    return Promise.all(
      prompts.map((prompt) =>
        this.#pool.use(async (sequence) => {
          options.signal?.throwIfAborted();
          this.#assertOpen();
          try {
            return await this.#scoreOne(sequence, prompt);
          } catch (error) {
            if (error instanceof LanguageModelError) throw error;
            throw new LanguageModelError(`llama.cpp failed to evaluate a prompt: ${error instanceof Error ? error.message : String(error)}`, { provider: PROVIDER, modelId: this.modelId, cause: error });
          }
        }),
      ),
    );
  }

  /** The chat template generate() applies (e.g. "ChatML", "Jinja"), or undefined when it continues raw text. */
  get chatTemplate(): string | undefined {
    return this.#chatWrapper?.wrapperName;
  }

  /**
   * Generates a completion with {@link GenerateOptions}' defaults (256 tokens, greedy, topP 1). With
   * a chat template (see the `chat` option) the prompt is the user's turn and the text is the
   * assistant's answer.
   */
  async generate(prompt: string, options: GenerateOptions = {}): Promise<GenerateResult> {
    this.#assertOpen();
    const binding = await import('node-llama-cpp');
    return this.#pool.use(async (sequence) => {
      options.signal?.throwIfAborted();
      await sequence.clearHistory();
      if (this.#chatWrapper !== undefined) return this.#chatOnce(binding.LlamaChat, sequence, this.#chatWrapper, prompt, options);
      const completion = new binding.LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      let completionTokens = 0;
      try {
        const result = await completion.generateCompletionWithMeta(prompt, {
          ...samplingOptions(options),
          onToken: (tokens) => {
            completionTokens += tokens.length;
          },
        });
        return {
          text: result.response,
          usage: { promptTokens: this.#model.tokenize(prompt).length, completionTokens },
          finishReason: finishReasonOf(result.metadata.stopReason),
        };
      } catch (error) {
        throw new LanguageModelError(`llama.cpp failed to generate: ${error instanceof Error ? error.message : String(error)}`, { provider: PROVIDER, modelId: this.modelId, cause: error });
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    });
  }

  async #chatOnce(
    LlamaChatClass: typeof LlamaChat,
    sequence: LlamaContextSequence,
    chatWrapper: ChatWrapper,
    prompt: string,
    options: GenerateOptions,
  ): Promise<GenerateResult> {
    const chat = new LlamaChatClass({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false });
    let completionTokens = 0;
    try {
      const result = await chat.generateResponse([{ type: 'user', text: prompt }, { type: 'model', response: [] }], {
        ...samplingOptions(options),
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
      });
      // The sequence holds the templated prompt, then the answer.
      return {
        text: result.response,
        usage: { promptTokens: Math.max(0, sequence.nextTokenIndex - completionTokens), completionTokens },
        finishReason: finishReasonOf(result.metadata.stopReason),
      };
    } catch (error) {
      throw new LanguageModelError(`llama.cpp failed to generate: ${error instanceof Error ? error.message : String(error)}`, { provider: PROVIDER, modelId: this.modelId, cause: error });
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  }

  /** Frees the context and the model; later calls fail. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#context.dispose();
    await this.#model.dispose();
    await this.#runtime.release();
  }
}

/** Loads a local GGUF model (and optional LoRA adapter) with node-llama-cpp. */
export function createLlamaCppModel(options: LlamaCppModelOptions): Promise<LlamaCppModel> {
  return LlamaCppModel.create(options);
}

/** node-llama-cpp's sampling settings for `options`, with GenerateOptions' defaults (256 tokens, greedy, topP 1; node-llama-cpp leaves its own unstated). */
function samplingOptions(options: GenerateOptions) {
  return {
    maxTokens: options.maxTokens ?? 256,
    temperature: options.temperature ?? 0,
    topP: options.topP ?? 1,
    seed: options.seed,
    signal: options.signal,
    customStopTriggers: options.stop && options.stop.length > 0 ? [...options.stop] : undefined,
  };
}

/** GenerateResult's finish reason for node-llama-cpp's stop reason. */
function finishReasonOf(stopReason: string): GenerateResult['finishReason'] {
  return stopReason === 'maxTokens' ? 'length' : stopReason === 'abort' ? 'abort' : 'stop';
}
