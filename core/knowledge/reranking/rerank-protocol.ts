import type { ModelWorkerInfo } from '../model-worker.js';

/** The loaded model, as the worker reports it once ready. */
export type RerankWorkerInfo = ModelWorkerInfo;

/** One request: every passage is scored against the query. */
export interface RerankJob {
  query: string;
  passages: string[];
}

/** One score per passage, in request order; the buffer is transferred, not copied. */
export type RerankResult = Float64Array;
