import { Worker } from 'node:worker_threads';
import { AppError } from '../../contract/errors.js';
import type { Embedder, Reranker } from '../../contract/retrieval.js';
import { fromWorkerError, workerScript, type WorkerError } from '../../knowledge/model-worker.js';
import type { EngineWorkerStart, FromEngineWorker, ModelCall, ToEngineWorker } from './protocol.js';

/** What one engine worker thread is started with (WorkerDeskEngineOptions without the queueing). */
export interface EngineThreadOptions {
  home: string;
  embedder: Embedder | null;
  reranker?: { reranker: Reranker; top: number } | null;
  generator: boolean;
  notices?: string[];
  classifierCacheDir?: string;
  niceness?: number;
}

/**
 * Starts an engine worker thread and waits until its engine is open; rejects with its load error (no thread
 * left). The thread's model calls are served on the main process's embedder and reranker for its whole life
 * (they can come while it loads: the classifier embeds its examples when it trains).
 */
export async function startEngineThread(
  options: EngineThreadOptions,
): Promise<{ worker: Worker; generatorId: string }> {
  const start: EngineWorkerStart = {
    home: options.home,
    embedder: options.embedder && {
      modelId: options.embedder.modelId,
      dims: options.embedder.dims,
      maxTokens: options.embedder.maxTokens,
    },
    reranker: options.reranker
      ? { modelId: options.reranker.reranker.modelId, top: options.reranker.top }
      : null,
    generator: options.generator,
    notices: options.notices ?? [],
    niceness: options.niceness ?? 10,
    ...(options.classifierCacheDir ? { classifierCacheDir: options.classifierCacheDir } : {}),
  };
  const worker = new Worker(...workerEntry(workerScript(import.meta.url, 'engine-worker'), start));
  worker.on('message', (message: FromEngineWorker) => {
    if (message.type === 'model') void answerModelCall(worker, options, message.id, message.call);
  });
  try {
    return { worker, generatorId: await waitUntilReady(worker) };
  } catch (error) {
    await worker.terminate();
    throw error;
  }
}

/** Runs a model call of the worker on the main process's embedder or reranker and posts the outcome back. */
async function answerModelCall(
  worker: Worker,
  options: EngineThreadOptions,
  id: number,
  call: ModelCall,
): Promise<void> {
  const post = (message: ToEngineWorker, transfer: ArrayBuffer[] = []) =>
    worker.postMessage(message, transfer);
  try {
    if (call.model === 'embed') {
      if (!options.embedder) throw new Error('the engine worker asked for an embedder it was not given');
      const vectors = await options.embedder.embed(call.texts, call.kind);
      // Copies, not the embedder's own buffers: a cached vector must stay usable here after the transfer.
      const copies = vectors.map((v) => v.slice());
      post(
        { type: 'model-result', id, result: copies },
        copies.map((v) => v.buffer),
      );
    } else {
      const reranker = options.reranker?.reranker;
      if (!reranker) throw new Error('the engine worker asked for a reranker it was not given');
      post({ type: 'model-result', id, result: await reranker.score(call.query, call.passages) });
    }
  } catch (error) {
    const crossing: WorkerError =
      error instanceof AppError
        ? { code: error.code, message: error.message }
        : { message: error instanceof Error ? error.message : String(error) };
    post({ type: 'model-failed', id, error: crossing });
  }
}

function waitUntilReady(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: FromEngineWorker) => {
      if (message.type === 'model') return;
      stop();
      if (message.type === 'ready') resolve(message.generatorId);
      else if (message.type === 'load-failed') reject(fromWorkerError(message.error));
      else reject(new Error(`the engine worker sent ${message.type} before it was ready`));
    };
    const onError = (error: Error) => (stop(), reject(error));
    const onExit = (code: number) => (
      stop(),
      reject(new Error(`the engine worker exited (code ${code}) while loading`))
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** As in model-worker.ts: under tsx or vitest a bootstrap registers tsx in the worker (Node 20 ignores --import). */
function workerEntry(
  script: URL,
  workerData: unknown,
): [string | URL, { eval?: boolean; workerData: unknown }] {
  if (!script.pathname.endsWith('.ts')) return [script, { workerData }];
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return [bootstrap, { eval: true, workerData }];
}
