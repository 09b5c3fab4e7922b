import type { ErrorCode } from '../../contract/errors.js';
import type { ModelManifest } from '../../contract/retrieval.js';
import type { BatchLimits } from './batching.js';

/** What the embedding worker is started with (its `workerData`). */
export interface WorkerStart {
  dir: string;
  threads: number;
  limits: BatchLimits;
}

/** An error as it crosses the thread boundary: AppErrors keep their code, bugs keep their message. */
export interface WorkerError {
  code?: ErrorCode;
  message: string;
}

export type ToWorker =
  { type: 'embed'; id: number; texts: string[]; kind: 'query' | 'document' } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; name: string; manifest: ModelManifest }
  | { type: 'load-failed'; error: WorkerError }
  /** `vectors` holds every text's vector back to back, in request order; its buffer is transferred. */
  | { type: 'result'; id: number; vectors: Float32Array }
  | { type: 'failed'; id: number; error: WorkerError };
