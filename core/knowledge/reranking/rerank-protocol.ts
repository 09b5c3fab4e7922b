import type { ModelManifest } from '../../contract/retrieval.js';
import type { BatchLimits } from '../embedding/batching.js';
import type { FromModelWorker, ToModelWorker } from './model-worker.js';

/** What the rerank worker is started with (its `workerData`). */
export interface RerankWorkerStart {
  dir: string;
  threads: number;
  limits: BatchLimits;
}

/** The loaded model, as the worker reports it once ready. */
export interface RerankWorkerInfo {
  name: string;
  manifest: ModelManifest;
}

/** One request: every passage is scored against the query. */
export interface RerankJob {
  query: string;
  passages: string[];
}

/** One score per passage, in request order; the buffer is transferred, not copied. */
export type RerankResult = Float64Array;

export type ToRerankWorker = ToModelWorker<RerankJob>;
export type FromRerankWorker = FromModelWorker<RerankWorkerInfo, RerankResult>;
