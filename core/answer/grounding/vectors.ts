import { cosine } from '../../knowledge/embedding/pooling.js';
import type { Embedder } from '../../contract/retrieval.js';

const batchSize = 32;
const capacity = 4096;

/**
 * Sentence vectors by text, kept across checks: the same knowledge passages come back for many questions, so
 * their sentences are embedded once. Least recently used entries are dropped past `capacity`.
 */
export class VectorCache {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(private readonly embedder: Embedder) {}

  /** cosine[i][j] between `replies[i]` and `contexts[j]`, embedding what is not cached in batches. */
  async cosines(replies: string[], contexts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (replies.length === 0 || contexts.length === 0) return replies.map(() => []);
    await this.fill([...replies, ...contexts], signal);
    const get = (t: string): Float32Array => this.vectors.get(t) ?? new Float32Array();
    return replies.map((r) => {
      const a = get(r);
      return contexts.map((c) => cosine(a, get(c)));
    });
  }

  private async fill(texts: string[], signal?: AbortSignal): Promise<void> {
    const missing = [...new Set(texts)].filter((t) => {
      const hit = this.vectors.get(t);
      if (hit) {
        this.vectors.delete(t);
        this.vectors.set(t, hit);
      }
      return !hit;
    });
    for (let i = 0; i < missing.length; i += batchSize) {
      const batch = missing.slice(i, i + batchSize);
      const vectors = await this.embedder.embed(batch, 'document', signal);
      batch.forEach((t, j) => {
        const v = vectors[j];
        if (v) this.vectors.set(t, v);
      });
    }
    while (this.vectors.size > capacity) {
      const oldest = this.vectors.keys().next().value;
      if (oldest === undefined) break;
      this.vectors.delete(oldest);
    }
  }
}
