import fs from 'node:fs';
import type { DocumentRecord } from '../contract/knowledge.js';
import type { Embedder, KnowledgeIndex, Reranker, SearchResult } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import { openLanceIndex } from './index/lance-index.js';
import { QueryEmbeddingCache } from './retrieval/query-cache.js';
import { searchKnowledge, type SearchOptions } from './retrieval/retriever.js';

export interface KnowledgeBaseOptions {
  store: Store;
  /** null: no model installed, so the knowledge base runs on full text (BM25) alone. */
  embedder: Embedder | null;
  reranker?: Reranker | null;
  /** Fused hits the reranker re-scores when a search does not say; 0 turns the stage off. */
  rerankTop?: number;
  cache?: QueryEmbeddingCache;
  /** Chunk count from which vector search uses an ANN index. */
  annThreshold?: number;
  /** See LanceIndexOptions.readConsistencySeconds: 0 for a reader beside the data folder's writer. */
  readConsistencySeconds?: number;
}

/**
 * A tenant's knowledge as the rest of the product sees it: one LanceDB index per tenant, in the tenant's folder,
 * opened on first use, with the configured embedder and the shared (tenant-keyed) query-embedding cache.
 */
export class KnowledgeBase {
  private readonly indices = new Map<TenantId, Promise<KnowledgeIndex>>();
  private readonly writeQueues = new Map<TenantId, Promise<unknown>>();
  readonly cache: QueryEmbeddingCache;

  constructor(private readonly options: KnowledgeBaseOptions) {
    this.cache = options.cache ?? new QueryEmbeddingCache();
  }

  get store(): Store {
    return this.options.store;
  }

  get embedder(): Embedder | null {
    return this.options.embedder;
  }

  /** The cross-encoder and how many fused hits it re-scores; null when there is none (the desk's engine worker borrows it). */
  get reranking(): { reranker: Reranker; top: number } | null {
    const { reranker } = this.options;
    return reranker ? { reranker, top: this.options.rerankTop ?? 0 } : null;
  }

  /** The tenant's index; the tenant must exist (the store checks) before its folder is touched. */
  indexFor(tenant: TenantId): Promise<KnowledgeIndex> {
    let index = this.indices.get(tenant);
    if (!index) {
      const { embedder } = this.options;
      index = this.options.store.tenantFile(tenant, 'lancedb').then((dir) =>
        openLanceIndex(dir, {
          embedding: embedder ? { model: embedder.modelId, dims: embedder.dims } : null,
          ...(this.options.annThreshold !== undefined ? { annThreshold: this.options.annThreshold } : {}),
          ...(this.options.readConsistencySeconds !== undefined
            ? { readConsistencySeconds: this.options.readConsistencySeconds }
            : {}),
        }),
      );
      index.catch(() => this.indices.delete(tenant));
      this.indices.set(tenant, index);
    }
    return index;
  }

  async search(tenant: TenantId, query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const index = await this.indexFor(tenant);
    return searchKnowledge(
      {
        tenant,
        index,
        embedder: this.options.embedder,
        cache: this.cache,
        reranker: this.options.reranker ?? null,
      },
      query,
      { rerankTop: this.options.rerankTop ?? 0, ...options },
    );
  }

  /**
   * An admin marks a document public (the widget may show it) or not, whatever its source says; null returns to
   * the source's flag. Kept across re-syncs: ingestion applies the store's choice to every chunk it writes.
   * The restrictive write goes first (index before store when hiding, store before index when showing), so a
   * crash in between never shows the widget more than the admin allowed; calling it again completes it.
   * @throws AppError `not_found` for an unknown document.
   */
  async setPublic(tenant: TenantId, docId: string, isPublic: boolean | null): Promise<DocumentRecord> {
    const knowledge = this.options.store.knowledge;
    return this.exclusive(tenant, async () => {
      const before = await knowledge.getDocument(tenant, docId);
      if (!before) return knowledge.setPublic(tenant, docId, isPublic); // throws not_found
      const index = await this.indexFor(tenant);
      const showing = (isPublic ?? before.permissions?.public ?? false) === true;
      const access = (open: boolean) => ({
        docId,
        isPublic: open,
        principals: before.permissions?.principals ?? [],
      });
      if (!showing) await index.updateAccess([access(false)]);
      const after = await knowledge.setPublic(tenant, docId, isPublic);
      if (showing) await index.updateAccess([access(after.isPublic)]);
      // An update rewrites the rows outside the full-text index; until it is refreshed, a filtered search
      // ranks them by a different path and the widget gets the wrong documents first.
      await index.maintain();
      return after;
    });
  }

  /**
   * Runs `fn` after every earlier write of this tenant's access or chunks has finished (ingest batches and
   * setPublic), so an admin's choice cannot be overwritten by a batch prepared before it, within this process.
   */
  exclusive<T>(tenant: TenantId, fn: () => Promise<T>): Promise<T> {
    const previous = this.writeQueues.get(tenant) ?? Promise.resolve();
    const run = previous.then(() => fn());
    const settled = run.catch(() => {});
    this.writeQueues.set(tenant, settled);
    void settled.then(() => {
      if (this.writeQueues.get(tenant) === settled) this.writeQueues.delete(tenant);
    });
    return run;
  }

  /**
   * Drops the tenant's index (e.g. to change the embedding model) and marks all its documents as changed, so
   * each source's next ingest rebuilds its part. Hashes are forgotten first: a crash in between leaves the old
   * index refusing the new model, and running this again finishes the job.
   */
  async resetIndex(tenant: TenantId): Promise<number> {
    const forgotten = await this.options.store.knowledge.forgetContentHashes(tenant);
    await this.release(tenant);
    fs.rmSync(await this.options.store.tenantFile(tenant, 'lancedb'), { recursive: true, force: true });
    return forgotten;
  }

  /** Forgets a tenant's open index, e.g. before its folder is rebuilt by a re-index. */
  async release(tenant: TenantId): Promise<void> {
    const index = this.indices.get(tenant);
    this.indices.delete(tenant);
    if (index) await (await index).close();
  }

  async close(): Promise<void> {
    const open = [...this.indices.values()];
    this.indices.clear();
    for (const index of open) await (await index.catch(() => null))?.close();
    await this.options.embedder?.close();
    await this.options.reranker?.close();
  }
}
