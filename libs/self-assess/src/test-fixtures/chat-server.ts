import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link ChatServer.start}. */
export interface ChatServerOptions {
  /** Answer HTTP 400 to every call after this many successful ones. */
  readonly failAfter?: number;
  /** Milliseconds before each answer. */
  readonly delayMs?: number;
}

/**
 * A real local HTTP server speaking the OpenAI chat-completions wire format. It answers each
 * prompt with an assessment naming the prompt's target, reports token usage, and records every
 * call it received and every call it answered successfully.
 */
export class ChatServer {
  readonly received: string[] = [];
  readonly answered: string[] = [];
  failAfter: number;
  readonly #server: http.Server;
  readonly #delayMs: number;

  private constructor(server: http.Server, options: ChatServerOptions) {
    this.#server = server;
    this.failAfter = options.failAfter ?? Number.POSITIVE_INFINITY;
    this.#delayMs = options.delayMs ?? 0;
  }

  static async start(options: ChatServerOptions = {}): Promise<ChatServer> {
    const server = http.createServer();
    const instance = new ChatServer(server, options);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => instance.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { content: string }[] };
      const prompt = body.messages[body.messages.length - 1].content;
      this.received.push(prompt);
      setTimeout(() => {
        if (request.url !== '/v1/chat/completions' || this.answered.length >= this.failAfter) {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: 'the test server refuses this call' } }));
          return;
        }
        this.answered.push(prompt);
        const target = /enjoy the movie (".*?")\./.exec(prompt)?.[1] ?? 'the target';
        const content = `Knowing whether the user likes films similar to ${target} would help.`;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            id: `chatcmpl-${this.answered.length}`,
            object: 'chat.completion',
            model: 'test-model',
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
            usage: { prompt_tokens: prompt.length, completion_tokens: 12, total_tokens: prompt.length + 12 },
          }),
        );
      }, this.#delayMs);
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
