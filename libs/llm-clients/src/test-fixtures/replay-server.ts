import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A request the replay server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/** What the replay server answers: a status, headers and a raw body, optionally after a delay. */
export interface ReplayResponse {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Raw body text, or a value serialised as JSON. */
  readonly body?: unknown;
  readonly delayMs?: number;
  /** Never answer (to provoke client timeouts). */
  readonly hang?: boolean;
}

/** Reads a recorded response of test-fixtures/. */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(import.meta.dirname, name), 'utf8')) as Record<string, unknown>;
}

/** A real HTTP server on 127.0.0.1 (port 0) that replays responses chosen by a handler. */
export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #server: http.Server;
  #handler: (request: RecordedRequest, index: number) => ReplayResponse;

  private constructor(handler: (request: RecordedRequest, index: number) => ReplayResponse) {
    this.#handler = handler;
    this.#server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the raw text
        }
        const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
        this.requests.push(recorded);
        const reply = this.#handler(recorded, this.requests.length - 1);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        if (reply.hang) return;
        setTimeout(() => {
          this.inFlight--;
          const raw = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
          response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
          response.end(raw);
        }, reply.delayMs ?? 0);
      });
    });
  }

  static async start(handler: (request: RecordedRequest, index: number) => ReplayResponse): Promise<ReplayServer> {
    const server = new ReplayServer(handler);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** Replaces the handler. */
  respondWith(handler: (request: RecordedRequest, index: number) => ReplayResponse): void {
    this.#handler = handler;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
