import type { ModelWorkerInfo } from '../model-worker.js';

/** The loaded model, as the embedding worker reports it once ready. */
export type EmbedWorkerInfo = ModelWorkerInfo;

/** One request: texts to embed, as queries or as documents (some models prefix them differently). */
export interface EmbedJob {
  texts: string[];
  kind: 'query' | 'document';
}

/** Every text's vector back to back, in request order; the buffer is transferred, not copied. */
export type EmbedResult = Float32Array;
