// The body of one scoring worker thread (see worker-pool.ts and pooled-components.ts): it loads
// the run's retriever, reranker and language model itself, then runs the jobs the main thread
// sends, one at a time, so CPU-bound scoring never blocks the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import type { RerankCandidate, RetrievalTarget } from '@score/core';
import { initTensorflow } from '@score/tfjs-runtime';
import { loadRunComponents, loadRunRetrievalComponents, type RunComponents } from './run-components';
import type { ScoringWorkerData } from './pooled-components';
import { lowerThreadPriority, serializeError, type WorkerMessage, type WorkerRequest } from './worker-pool';

const port = parentPort!;
const data = workerData as ScoringWorkerData;
const send = (message: WorkerMessage) => port.postMessage(message);

type WorkerComponents = Omit<RunComponents, 'languageModel'> & { readonly languageModel?: RunComponents['languageModel'] };

async function runJob(components: WorkerComponents, op: string, payload: unknown): Promise<unknown> {
  if (op === 'retrieve') {
    const { target, k } = payload as { target: RetrievalTarget; k: number };
    return components.retriever.retrieve(target, k);
  }
  if (op === 'rerank') {
    const { query, candidates, topK } = payload as { query: string; candidates: RerankCandidate[]; topK: number };
    return components.reranker.rerank(query, candidates, topK);
  }
  if (op === 'score' && components.languageModel) return components.languageModel.scoreYesNo(payload as string[]);
  throw new Error(`unknown job "${op}"`);
}

// Below the event loop's priority, before any model (and any native thread pool) starts.
lowerThreadPriority(data.nice ?? 10);

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
      (value) => send({ type: 'result', id: message.id, value }),
      (error: unknown) => send({ type: 'error', id: message.id, error: serializeError(error) }),
    );
  });
}
