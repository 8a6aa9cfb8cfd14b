// The body of one scoring worker thread (see worker-pool.ts and pooled-components.ts): it loads
// the run's retriever, reranker and language model itself, then runs the jobs the main thread
// sends, one at a time, so CPU-bound scoring never blocks the server's event loop. A batch's pairs
// come as chunks (batch-chunks.ts): the worker does all of a chunk's work and answers once.
import { parentPort, workerData } from 'node:worker_threads';
import type { RerankCandidate, RetrievalTarget } from '@score/core';
import { createScorePromptWriter, type ScorePromptWriter } from '@score/prompt-kit';
import { InProcessLanguageModel } from '@score/rec-lm';
import { initTensorflow } from '@score/tfjs-runtime';
import { SCORE_CHUNK_OP, type ScoreChunkJob, type ScoreChunkOutcome } from './batch-chunks';
import { createChunkScorer, type ChunkScorer } from './chunk-scorer';
import { loadRunComponents, loadRunRetrievalComponents, type RunComponents } from './run-components';
import type { RemotePromptJob, ScoringWorkerData } from './pooled-components';
import { readRunPromptSettings } from './run-language-model';
import { DEFAULT_WORKER_NICE, lowerThreadPriority, serializeError, type WorkerMessage, type WorkerRequest } from './worker-pool';

const port = parentPort!;
const data = workerData as ScoringWorkerData;
const send = (message: WorkerMessage) => port.postMessage(message);
/** Sends a job's result; a chunk's JSON bytes are moved to the main thread, not copied. */
const sendResult = (id: number, value: unknown) => {
  const json = (value as Partial<ScoreChunkOutcome> | undefined)?.json;
  port.postMessage({ type: 'result', id, value } satisfies WorkerMessage, json instanceof Uint8Array ? [json.buffer as ArrayBuffer] : []);
};

type WorkerComponents = Omit<RunComponents, 'languageModel'> & { readonly languageModel?: RunComponents['languageModel'] };

// Prompt writers by settings: the in-process LM's prompts are fitted to the run's token budget
// (rec.maxPromptTokens, else 256) with its tokenizer, as the rec and eval stages fitted them.
const writers = new Map<string, ScorePromptWriter>();
function writerFor(components: WorkerComponents, options: RemotePromptJob['writer']): ScorePromptWriter {
  const key = JSON.stringify(options, (_, value: unknown) => (value === Number.POSITIVE_INFINITY ? 'Infinity' : value));
  let writer = writers.get(key);
  if (writer === undefined) {
    const lm = components.languageModel;
    const maxTokens = readRunPromptSettings(data.runDir).maxPromptTokens;
    const tokenBudget = lm instanceof InProcessLanguageModel ? { tokenizer: lm.tokenizer, ...(maxTokens === undefined ? {} : { maxTokens }) } : undefined;
    writer = createScorePromptWriter({ ...options, ...(tokenBudget === undefined ? {} : { tokenBudget }) });
    writers.set(key, writer);
  }
  return writer;
}

let scoreChunk: ChunkScorer | undefined;

async function runJob(components: WorkerComponents, op: string, payload: unknown): Promise<unknown> {
  if (op === SCORE_CHUNK_OP && components.languageModel) {
    scoreChunk ??= createChunkScorer(components as RunComponents, (options) => writerFor(components, options));
    return scoreChunk(payload as ScoreChunkJob);
  }
  if (op === 'retrieve') {
    const { target, k } = payload as { target: RetrievalTarget; k: number };
    return components.retriever.retrieve(target, k);
  }
  if (op === 'rerank') {
    const { query, candidates, topK } = payload as { query: string; candidates: RerankCandidate[]; topK: number };
    return components.reranker.rerank(query, candidates, topK);
  }
  if (op === 'score' && components.languageModel) return components.languageModel.scoreYesNo(payload as string[]);
  if (op === 'write') {
    const job = payload as RemotePromptJob;
    return writerFor(components, job.writer).write(job.history, job.target, job.behaviours);
  }
  throw new Error(`unknown job "${op}"`);
}

// Below the event loop's priority, before any model (and any native thread pool) starts.
lowerThreadPriority(data.nice ?? DEFAULT_WORKER_NICE);

let components: WorkerComponents | undefined;
try {
  await initTensorflow();
  const options = { runDir: data.runDir, llm: data.llm, ...(data.llmOverrides ? { llmOverrides: data.llmOverrides } : {}) };
  components = data.languageModel ? await loadRunComponents(options) : await loadRunRetrievalComponents(options);
  send({
    type: 'ready',
    info: {
      retriever: components.retriever.variant,
      reranker: components.reranker.modelId,
      ...(components.languageModel ? { provider: components.languageModel.provider, modelId: components.languageModel.modelId } : {}),
    },
  });
} catch (error) {
  send({ type: 'failed', error: serializeError(error) });
  port.close();
}

if (components) {
  const loaded = components;
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'dispose') {
      void Promise.allSettled([loaded.retriever.dispose(), loaded.reranker.dispose(), loaded.languageModel?.dispose()]).then(() => port.close());
      return;
    }
    runJob(loaded, message.op, message.payload).then(
      (value) => sendResult(message.id, value),
      (error: unknown) => send({ type: 'error', id: message.id, error: serializeError(error) }),
    );
  });
}
