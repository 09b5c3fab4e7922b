import type { AnswerDraft } from '../../contract/answer.js';
import type { TenantId } from '../../contract/tenant.js';
import type { WorkerError } from '../../knowledge/model-worker.js';
import type { AskInput } from '../answer-engine.js';

/**
 * The engine worker's messages. The worker answers desk questions off the HTTP event loop; it opens the data
 * folder itself (its own SQLite connections and LanceDB connection) but borrows the main process's models
 * (embedder, reranker) through `model` calls, so a second copy of their weights is never loaded.
 */

/** What the engine worker starts with (its `workerData`). */
export interface EngineWorkerStart {
  /** The data folder, as openSqliteStore takes it. */
  home: string;
  /** The main process's embedder, used through `model` calls; null: full text only. */
  embedder: { modelId: string; dims: number; maxTokens: number } | null;
  reranker: { modelId: string; top: number } | null;
  /** false: the extractive composer writes every draft (a local generator model is never loaded twice). */
  generator: boolean;
  /** Said with every draft when `generator` is false, e.g. why the configured model is not used. */
  notices: string[];
  /** How much lower than the main thread the worker thread runs (Linux nice steps), so HTTP goes first. */
  niceness: number;
  /** Where the escalation classifier's trained heads are cached (the main process trained them already). */
  classifierCacheDir?: string;
}

/** A question as it crosses: AskInput without its callbacks (no token streaming; cancellation by message). */
export type WorkerAskInput = Omit<AskInput, 'onToken' | 'signal'>;

export type ModelCall =
  | { model: 'embed'; texts: string[]; kind: 'query' | 'document' }
  | { model: 'rerank'; query: string; passages: string[] };

export type ToEngineWorker =
  | { type: 'ask'; id: number; tenant: TenantId; input: WorkerAskInput }
  | { type: 'cancel'; id: number }
  | { type: 'model-result'; id: number; result: Float32Array[] | number[] }
  | { type: 'model-failed'; id: number; error: WorkerError };

export type FromEngineWorker =
  | { type: 'ready'; generatorId: string }
  | { type: 'load-failed'; error: WorkerError }
  | { type: 'answered'; id: number; draft: AnswerDraft }
  | { type: 'failed'; id: number; error: WorkerError }
  | { type: 'model'; id: number; call: ModelCall };
