import { InvalidOptionError, LanguageModelError, silentLogger, type GenerateOptions, type GenerateResult, type LanguageModel, type Logger, type ProgressCallback, type ScoreYesNoOptions, type TokenUsage, type YesNoScore, integerOption } from '@score/core';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { firstPositionLogprobs } from './openai-logprobs';
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry-policy';
import { yesNoFromTopLogprobs } from './yes-no-score';

const PROVIDER = 'openai';

/** Options of {@link createOpenAICompatibleModel}. */
export interface OpenAICompatibleModelOptions {
  /** Base URL of the API, up to and including the version, e.g. "http://127.0.0.1:8000/v1". */
  readonly baseURL: string;
  /** Model name sent with each request (with vLLM, a LoRA adapter's name selects that adapter). */
  readonly model: string;
  /**
   * API key, sent as `Authorization: Bearer <key>`.
   * @defaultValue the environment variable named by `apiKeyEnv`; no header when that is unset too
   */
  readonly apiKey?: string;
  /**
   * Environment variable read when `apiKey` is not given.
   * @defaultValue "OPENAI_API_KEY"
   */
  readonly apiKeyEnv?: string;
  /**
   * Which endpoint: `/chat/completions` (prompt sent as one user message) or the legacy `/completions`.
   * @defaultValue "chat"
   */
  readonly endpoint?: 'chat' | 'completions';
  /**
   * Time limit of one HTTP attempt (request and response body), in milliseconds.
   * @defaultValue 60000
   */
  readonly timeoutMs?: number;
  /**
   * Retries after the first attempt, on timeouts, network errors, 408, 409, 425, 429 and 5xx.
   * @defaultValue 4
   */
  readonly maxRetries?: number;
  /**
   * First backoff delay; doubled on each retry, with jitter (a `Retry-After` header wins).
   * @defaultValue 500
   */
  readonly retryBaseDelayMs?: number;
  /**
   * Longest wait between two attempts, also capping `Retry-After`.
   * @defaultValue 30000
   */
  readonly retryMaxDelayMs?: number;
  /**
   * Requests in flight at once.
   * @defaultValue 4
   */
  readonly concurrency?: number;
  /**
   * How many alternatives per position to ask for when scoring (`top_logprobs`, or `logprobs` on
   * the completions endpoint); OpenAI allows at most 20.
   * @defaultValue 20
   */
  readonly topLogprobs?: number;
  /**
   * Also count "yes"/"no" (any case) as the answers when scoring.
   * @defaultValue false
   */
  readonly caseInsensitive?: boolean;
  /**
   * System message sent before the prompt on the chat endpoint.
   * @defaultValue none
   */
  readonly systemPrompt?: string;
  /**
   * Extra HTTP headers sent with every request.
   * @defaultValue none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The fetch implementation.
   * @defaultValue the global `fetch`
   */
  readonly fetch?: typeof fetch;
  /**
   * Receives retries and failures.
   * @defaultValue a silent logger
   */
  readonly logger?: Logger;
  /**
   * Receives one event per finished prompt of {@link LanguageModel.scoreYesNo} (task "llm.score", unit "calls").
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

interface ResolvedOptions {
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly endpoint: 'chat' | 'completions';
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly concurrency: number;
  readonly topLogprobs: number;
  readonly caseInsensitive: boolean;
  readonly systemPrompt?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly logger: Logger;
  readonly onProgress?: ProgressCallback;
}

function resolveOptions(options: OpenAICompatibleModelOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'must be an object with "baseURL" and "model".');
  let url: URL;
  try {
    url = new URL(options.baseURL);
  } catch {
    throw new InvalidOptionError('baseURL', `must be an http(s) URL such as "http://127.0.0.1:8000/v1", got ${JSON.stringify(options.baseURL)}.`, options.baseURL);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidOptionError('baseURL', `must use http or https, got ${JSON.stringify(url.protocol)}.`, options.baseURL);
  }
  if (typeof options.model !== 'string' || options.model.length === 0) {
    throw new InvalidOptionError('model', `must be a non-empty model name, got ${JSON.stringify(options.model)}.`, options.model);
  }
  const endpoint = options.endpoint ?? 'chat';
  if (endpoint !== 'chat' && endpoint !== 'completions') {
    throw new InvalidOptionError('endpoint', `must be "chat" or "completions", got ${JSON.stringify(endpoint)}.`, endpoint);
  }
  const apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
  if (typeof apiKeyEnv !== 'string' || apiKeyEnv.length === 0) {
    throw new InvalidOptionError('apiKeyEnv', `must be an environment variable name, got ${JSON.stringify(apiKeyEnv)}.`, apiKeyEnv);
  }
  if (options.apiKey !== undefined && typeof options.apiKey !== 'string') throw new InvalidOptionError('apiKey', 'must be a string.');
  const apiKey = options.apiKey ?? (process.env[apiKeyEnv] || undefined);
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  if (typeof fetchImplementation !== 'function') throw new InvalidOptionError('fetch', 'must be a fetch function; this runtime has no global fetch.');
  return {
    baseURL: options.baseURL.replace(/\/+$/, ''),
    model: options.model,
    apiKey,
    endpoint,
    timeoutMs: integerOption('timeoutMs', options.timeoutMs, 60_000, 1),
    maxRetries: integerOption('maxRetries', options.maxRetries, 4, 0),
    retryBaseDelayMs: integerOption('retryBaseDelayMs', options.retryBaseDelayMs, 500, 0),
    retryMaxDelayMs: integerOption('retryMaxDelayMs', options.retryMaxDelayMs, 30_000, 0),
    concurrency: integerOption('concurrency', options.concurrency, 4, 1),
    topLogprobs: integerOption('topLogprobs', options.topLogprobs, 20, 1),
    caseInsensitive: options.caseInsensitive ?? false,
    systemPrompt: options.systemPrompt,
    headers: options.headers ?? {},
    fetch: fetchImplementation,
    logger: options.logger ?? silentLogger,
    onProgress: options.onProgress,
  };
}

/** The wait a server asked for (Retry-After) on a failed attempt. */
const retryAfterOf = new WeakMap<LanguageModelError, number>();

/** A parsed JSON response body. */
type JsonObject = Record<string, unknown>;

/** A {@link LanguageModel} behind an OpenAI-compatible HTTP API (OpenAI, vLLM, llama.cpp's server, Ollama). */
export class OpenAICompatibleModel implements LanguageModel {
  /** Always "openai" (for every OpenAI-compatible server). */
  readonly provider = PROVIDER;
  /** The `model` option. */
  readonly modelId: string;
  readonly #options: ResolvedOptions;
  readonly #limiter: ConcurrencyLimiter;
  #promptTokens = 0;
  #completionTokens = 0;

  constructor(options: OpenAICompatibleModelOptions) {
    this.#options = resolveOptions(options);
    this.modelId = this.#options.model;
    this.#limiter = new ConcurrencyLimiter(this.#options.concurrency);
  }

  /** Settings that change results; part of response-cache keys (see `withCache`). */
  get cacheKeyParameters(): Readonly<Record<string, unknown>> {
    const { baseURL, endpoint, topLogprobs, caseInsensitive, systemPrompt } = this.#options;
    return { baseURL, endpoint, topLogprobs, caseInsensitive, systemPrompt: systemPrompt ?? null };
  }

  /** Tokens used by every call so far, as reported by the server. */
  get totalUsage(): TokenUsage {
    return { promptTokens: this.#promptTokens, completionTokens: this.#completionTokens };
  }

  #error(message: string, details: { status?: number; retryable?: boolean; cause?: unknown } = {}): LanguageModelError {
    return new LanguageModelError(message, { provider: PROVIDER, modelId: this.modelId, ...details });
  }

  #body(prompt: string, parameters: Record<string, unknown>): Record<string, unknown> {
    const { endpoint, model, systemPrompt } = this.#options;
    if (endpoint === 'completions') return { model, prompt, ...parameters };
    const messages = systemPrompt === undefined ? [] : [{ role: 'system', content: systemPrompt }];
    messages.push({ role: 'user', content: prompt });
    return { model, messages, ...parameters };
  }

  /** One attempt: POST, read the body, parse JSON. Throws a `LanguageModelError` (retryable or not). */
  async #attempt(url: string, body: string, signal: AbortSignal | undefined): Promise<JsonObject> {
    const { timeoutMs, apiKey, headers } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.#options.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
        body,
        signal: combined,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw this.#error(`POST ${url} got no complete answer within ${timeoutMs} ms.`, { retryable: true, cause: error });
      const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      throw this.#error(`POST ${url} failed before an answer: ${reason}.`, { retryable: true, cause: error });
    }
    if (!response.ok) {
      const error = this.#error(`POST ${url} answered HTTP ${response.status}: ${text.slice(0, 300) || response.statusText}`, {
        status: response.status,
        retryable: isRetryableStatus(response.status),
      });
      const retryAfter = parseRetryAfter(response.headers);
      if (retryAfter !== undefined) retryAfterOf.set(error, retryAfter);
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw this.#error(`POST ${url} answered HTTP ${response.status} with a body that is not valid JSON: ${JSON.stringify(text.slice(0, 200))}.`, { status: response.status, cause });
    }
    if (typeof json !== 'object' || json === null || !Array.isArray((json as JsonObject).choices) || ((json as JsonObject).choices as unknown[]).length === 0) {
      throw this.#error(`POST ${url} answered JSON without a non-empty "choices" array: ${JSON.stringify(text.slice(0, 200))}.`, { status: response.status });
    }
    return json as JsonObject;
  }

  /** POSTs with retries (backoff with jitter, `Retry-After` honoured) under the concurrency limit. */
  async #post(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<JsonObject> {
    const { baseURL, endpoint, maxRetries, retryBaseDelayMs, retryMaxDelayMs, logger } = this.#options;
    const url = `${baseURL}/${endpoint === 'chat' ? 'chat/completions' : 'completions'}`;
    const text = JSON.stringify(body);
    return this.#limiter.run(async () => {
      for (let attempt = 0; ; attempt++) {
        signal?.throwIfAborted();
        try {
          const json = await this.#attempt(url, text, signal);
          this.#countUsage(json);
          return json;
        } catch (error) {
          if (!(error instanceof LanguageModelError) || !error.retryable) throw error;
          if (attempt >= maxRetries) {
            throw this.#error(`Gave up after ${attempt + 1} attempts; last failure: ${error.message.replace(/^\[[^\]]*\] /, '')}`, {
              status: error.status,
              retryable: true,
              cause: error,
            });
          }
          const retryAfter = retryAfterOf.get(error);
          const delay = retryAfter !== undefined ? Math.min(retryAfter, retryMaxDelayMs) : backoffDelay(attempt, retryBaseDelayMs, retryMaxDelayMs);
          logger.warn('Retrying a language-model request.', { url, attempt: attempt + 1, delayMs: delay, status: error.status, reason: error.message });
          await sleep(delay, signal);
        }
      }
    });
  }

  #countUsage(json: JsonObject): void {
    const usage = json.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
    if (typeof usage?.prompt_tokens === 'number') this.#promptTokens += usage.prompt_tokens;
    if (typeof usage?.completion_tokens === 'number') this.#completionTokens += usage.completion_tokens;
  }

  async #scoreOne(prompt: string, signal: AbortSignal | undefined): Promise<YesNoScore> {
    const { endpoint, topLogprobs, caseInsensitive } = this.#options;
    const logprobs = endpoint === 'chat' ? { logprobs: true, top_logprobs: topLogprobs } : { logprobs: topLogprobs };
    const json = await this.#post(this.#body(prompt, { max_tokens: 1, temperature: 0, ...logprobs }), signal);
    const candidates = firstPositionLogprobs((json.choices as unknown[])[0]);
    if (candidates === undefined) {
      throw this.#error(
        `The server returned no log-probabilities for the first generated token (choices[0].logprobs is missing or empty), so P(yes) (method.md, Eq. 14) cannot be computed. Use a server and endpoint that honour "logprobs" (OpenAI, vLLM, llama.cpp's server, an Ollama release with log-probability support).`,
      );
    }
    const score = yesNoFromTopLogprobs(candidates, caseInsensitive);
    if (score === undefined) {
      const shown = candidates.slice(0, 10).map((candidate) => JSON.stringify(candidate.token)).join(', ');
      throw this.#error(
        `Neither "Yes" nor "No" is among the ${candidates.length} most likely first tokens (${shown}${candidates.length > 10 ? ', ...' : ''}). Raise "topLogprobs", set "caseInsensitive", or make the prompt ask for a Yes/No answer.`,
      );
    }
    return score;
  }

  /**
   * P(yes) per prompt (method.md, Eq. 14), one request per prompt, at most `concurrency` in flight
   * (`batchSize` is not used: the server batches). Fails with a `LanguageModelError` when a
   * response has no log-probabilities or lists neither answer.
   */
  async scoreYesNo(prompts: readonly string[], options: ScoreYesNoOptions = {}): Promise<YesNoScore[]> {
    let done = 0;
    const { onProgress } = this.#options;
    return Promise.all(
      prompts.map(async (prompt) => {
        const score = await this.#scoreOne(prompt, options.signal);
        done++;
        onProgress?.({ task: 'llm.score', done, total: prompts.length, unit: 'calls', finished: done === prompts.length });
        return score;
      }),
    );
  }

  /** Generates a completion with {@link GenerateOptions}' defaults (256 tokens, greedy, topP 1 when sampling). */
  async generate(prompt: string, options: GenerateOptions = {}): Promise<GenerateResult> {
    const temperature = options.temperature ?? 0;
    const parameters: Record<string, unknown> = { max_tokens: options.maxTokens ?? 256, temperature };
    // GenerateOptions' default topP is 1; servers differ (llama.cpp's is 0.95), so it is sent
    // whenever it matters (sampling), and left out at temperature 0 where it has no effect.
    if (options.topP !== undefined || temperature > 0) parameters.top_p = options.topP ?? 1;
    if (options.stop !== undefined && options.stop.length > 0) parameters.stop = [...options.stop];
    if (options.seed !== undefined) parameters.seed = options.seed;
    const json = await this.#post(this.#body(prompt, parameters), options.signal);
    const choice = (json.choices as Record<string, unknown>[])[0] ?? {};
    const message = choice.message as { content?: unknown } | undefined;
    const text = this.#options.endpoint === 'chat' ? message?.content : choice.text;
    if (typeof text !== 'string') {
      throw this.#error(`The server's answer has no text in choices[0].${this.#options.endpoint === 'chat' ? 'message.content' : 'text'}.`);
    }
    const usage = json.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
    return {
      text,
      finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined,
      usage:
        typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number'
          ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
          : undefined,
    };
  }

  /** Nothing to free: HTTP connections are pooled by the fetch implementation. */
  dispose(): void {}
}

/** Creates a {@link LanguageModel} for an OpenAI-compatible HTTP API. */
export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): OpenAICompatibleModel {
  return new OpenAICompatibleModel(options);
}
