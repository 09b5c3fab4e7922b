/**
 * The engine worker thread: opens the data folder and runs AnswerEngine.ask for the desk, so drafting
 * (retrieval, extractive composition, grounding, escalation) never blocks the widget's HTTP event loop.
 * Started by WorkerDeskEngine (engine-client.ts); messages in protocol.ts.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../contract/errors.js';
import type { Embedder, Reranker } from '../../contract/retrieval.js';
import { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { fromWorkerError, type WorkerError } from '../../knowledge/model-worker.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { AnswerEngine } from '../answer-engine.js';
import { createMessageClassifier } from '../escalation/index.js';
import { resolveGenerator } from '../generation/resolve-generator.js';
import { createGroundingChecker } from '../grounding/index.js';
import type { EngineWorkerStart, FromEngineWorker, ModelCall, ToEngineWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the engine worker runs as a worker thread only');
const post = (message: FromEngineWorker) => port.postMessage(message);

/** Model calls waiting for the main process. */
const calls = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
let nextCall = 1;
function callModel<Result>(call: ModelCall, signal?: AbortSignal): Promise<Result> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  const id = nextCall++;
  return new Promise<Result>((resolve, reject) => {
    // An abort stops waiting; the main process finishes the (short) model call and its result is dropped.
    const onAbort = () => (calls.delete(id), reject(signal?.reason as Error));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    calls.set(id, {
      resolve: (result) => (done(), resolve(result as Result)),
      reject: (error) => (done(), reject(error)),
    });
    post({ type: 'model', id, call });
  });
}

const start = workerData as EngineWorkerStart;
// Drafting yields the CPU to the widget listener: on Linux the nice value is per thread, so this lowers only
// this thread (and threads it starts). Elsewhere setpriority would lower the whole process, so it is left alone.
if (process.platform === 'linux') {
  try {
    os.setPriority(Math.min(19, os.getPriority() + start.niceness));
  } catch {
    // Not permitted in this sandbox or container: drafting then competes with the listener as an equal.
  }
}
const asks = new Map<number, AbortController>();
let engine: AnswerEngine | null = null;

port.on('message', (message: ToEngineWorker) => {
  switch (message.type) {
    case 'model-result':
    case 'model-failed': {
      const call = calls.get(message.id);
      calls.delete(message.id);
      if (message.type === 'model-failed') call?.reject(fromWorkerError(message.error));
      else call?.resolve(message.result);
      return;
    }
    case 'cancel':
      asks.get(message.id)?.abort(new Error('the question was cancelled'));
      return;
    case 'ask': {
      if (!engine) {
        post({
          type: 'failed',
          id: message.id,
          error: { code: 'unavailable', message: 'the engine is loading' },
        });
        return;
      }
      const controller = new AbortController();
      asks.set(message.id, controller);
      engine
        .ask(message.tenant, { ...message.input, signal: controller.signal })
        .then(
          // A draft finished after its cancel is not sent: the caller asked to stop (and the extractive path
          // has no step that checks the signal, so it would otherwise come back as if nothing had happened).
          (draft) =>
            controller.signal.aborted
              ? post({ type: 'failed', id: message.id, error: toWorkerError(controller.signal.reason) })
              : post({ type: 'answered', id: message.id, draft }),
          (error: unknown) => post({ type: 'failed', id: message.id, error: toWorkerError(error) }),
        )
        .finally(() => asks.delete(message.id));
    }
  }
});

try {
  engine = await openEngine(start);
  post({ type: 'ready', generatorId: engine.generatorId });
} catch (error) {
  post({ type: 'load-failed', error: toWorkerError(error) });
}

async function openEngine(options: EngineWorkerStart): Promise<AnswerEngine> {
  const store = openSqliteStore(options.home);
  const embedder: Embedder | null = options.embedder && {
    ...options.embedder,
    embed: (texts, kind, signal) => callModel<Float32Array[]>({ model: 'embed', texts, kind }, signal),
    close: async () => {}, // the main process owns the model
  };
  const reranker: Reranker | null = options.reranker && {
    modelId: options.reranker.modelId,
    score: (query, passages, signal) => callModel<number[]>({ model: 'rerank', query, passages }, signal),
    close: async () => {},
  };
  const kb = new KnowledgeBase({
    store,
    embedder,
    ...(reranker && options.reranker ? { reranker, rerankTop: options.reranker.top } : {}),
    // The main process writes the index (ingest, an admin's public flag); this reader must see each commit at
    // its next search, or the widget could keep quoting a document an admin just unpublished.
    readConsistencySeconds: 0,
  });
  const { generator, notices } = options.generator
    ? await resolveGenerator(options.home)
    : { generator: null, notices: options.notices };
  const classifier = await createMessageClassifier({
    embedder,
    ...(options.classifierCacheDir ? { cacheDir: options.classifierCacheDir } : {}),
  });
  const grounding = createGroundingChecker({ embedder, judge: generator });
  return new AnswerEngine({ kb, classifier, grounding, generator, notices });
}

function toWorkerError(error: unknown): WorkerError {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}
