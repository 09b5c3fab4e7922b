import type { TenantId } from '../../contract/tenant.js';

export interface QueryCacheOptions {
  /** How long an embedding stays valid; default 24 h. */
  ttlMs?: number;
  /** Most entries kept per tenant; the least recently used go first. */
  maxEntriesPerTenant?: number;
  now?: () => number;
}

interface Entry {
  vector: Float32Array;
  expiresAt: number;
}

/**
 * Query embeddings, remembered so a repeated or re-asked question skips the model. One map per tenant: a
 * tenant's queries are never visible to another, and one busy tenant cannot evict another's entries.
 * Keyed by model id and normalised text, so a model change never serves stale vectors.
 */
export class QueryEmbeddingCache {
  private readonly byTenant = new Map<TenantId, Map<string, Entry>>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(options: QueryCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.max = options.maxEntriesPerTenant ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  get(tenant: TenantId, model: string, query: string): Float32Array | undefined {
    const map = this.byTenant.get(tenant);
    const key = cacheKey(model, query);
    const entry = map?.get(key);
    if (!map || !entry || entry.expiresAt <= this.now()) {
      if (entry) map?.delete(key);
      this.misses += 1;
      return undefined;
    }
    // Re-inserting moves the key to the end: Map iteration order is our LRU order.
    map.delete(key);
    map.set(key, entry);
    this.hits += 1;
    return entry.vector;
  }

  set(tenant: TenantId, model: string, query: string, vector: Float32Array): void {
    let map = this.byTenant.get(tenant);
    if (!map) {
      map = new Map();
      this.byTenant.set(tenant, map);
    }
    const key = cacheKey(model, query);
    map.delete(key);
    map.set(key, { vector, expiresAt: this.now() + this.ttlMs });
    while (map.size > this.max) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }

  size(tenant: TenantId): number {
    return this.byTenant.get(tenant)?.size ?? 0;
  }

  clearTenant(tenant: TenantId): void {
    this.byTenant.delete(tenant);
  }
}

/** Case, surrounding and repeated whitespace, and Unicode form do not change what a query means. */
export function normaliseQuery(query: string): string {
  return query.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function cacheKey(model: string, query: string): string {
  return `${model}\u0000${normaliseQuery(query)}`;
}
