import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, InvalidOptionError } from '@score/core';

/** What identifies one language-model call. */
export interface CacheKeyParts {
  readonly provider: string;
  readonly modelId: string;
  /** "generate" or "scoreYesNo". */
  readonly kind: string;
  readonly prompt: string;
  /** Every setting that changes the answer (sampling options, endpoint, ...). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** Options of {@link createResponseCache}. */
export interface ResponseCacheOptions {
  /** Folder of the cache file (typically the run folder); created when missing. */
  readonly dir: string;
  /**
   * Name of the JSON-lines file inside `dir`.
   * @defaultValue "llm-cache.jsonl"
   */
  readonly fileName?: string;
}

/** JSON with object keys sorted, so that equal values always give the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The sha256 (hex) of the canonical JSON of the key parts. */
export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256')
    .update(canonicalJson({ provider: parts.provider, modelId: parts.modelId, kind: parts.kind, prompt: parts.prompt, parameters: parts.parameters }))
    .digest('hex');
}

/**
 * An append-only, on-disk store of language-model answers: one JSON line `{"key", "value"}` per
 * answer, fsynced before `set` resolves. A last line cut short by a crash is dropped on open.
 */
export class ResponseCache {
  /** Path of the JSON-lines file. */
  readonly path: string;
  readonly #entries = new Map<string, unknown>();
  #handle: fs.promises.FileHandle | undefined;
  #writes: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(filePath: string) {
    this.path = filePath;
  }

  /** Opens (or creates) the cache file and loads its entries. */
  static async open(options: ResponseCacheOptions): Promise<ResponseCache> {
    if (typeof options?.dir !== 'string' || options.dir.length === 0) {
      throw new InvalidOptionError('dir', `must be a folder path, got ${JSON.stringify(options?.dir)}.`, options?.dir);
    }
    const fileName = options.fileName ?? 'llm-cache.jsonl';
    if (typeof fileName !== 'string' || fileName.length === 0 || fileName !== path.basename(fileName)) {
      throw new InvalidOptionError('fileName', `must be a plain file name, got ${JSON.stringify(fileName)}.`, fileName);
    }
    await fs.promises.mkdir(options.dir, { recursive: true });
    const cache = new ResponseCache(path.join(options.dir, fileName));
    await cache.#load();
    cache.#handle = await fs.promises.open(cache.path, 'a');
    return cache;
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) {
      // A crash cut the last record short: drop it so that later appends start on a fresh line.
      await fs.promises.truncate(this.path, Buffer.byteLength(text.slice(0, complete)));
    }
    const lines = text.slice(0, complete).split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (cause) {
        throw new DataFormatError('this line of the response cache is not valid JSON; delete the file to start a fresh cache.', { path: this.path, line: index + 1, cause });
      }
      const { key } = record as { key?: unknown };
      if (typeof key !== 'string' || !('value' in (record as object))) {
        throw new DataFormatError('a response-cache record needs a string "key" and a "value".', { path: this.path, line: index + 1, field: 'key' });
      }
      this.#entries.set(key, (record as { value: unknown }).value);
    });
  }

  /** How many answers are stored. */
  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The stored answer, or `undefined`. */
  get(key: string): unknown {
    return this.#entries.get(key);
  }

  /** Stores an answer; resolves once the line is on disk (fsynced). */
  set(key: string, value: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(new InvalidOptionError('cache', `the response cache ${this.path} is closed.`));
    this.#entries.set(key, value);
    const line = `${JSON.stringify({ key, value })}\n`;
    const write = this.#writes.then(async () => {
      const handle = this.#handle;
      if (handle === undefined) return;
      await handle.appendFile(line, 'utf8');
      await handle.datasync();
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** Waits for pending writes and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes;
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

/** Opens (or creates) a response cache in `options.dir`. */
export function createResponseCache(options: ResponseCacheOptions): Promise<ResponseCache> {
  return ResponseCache.open(options);
}
