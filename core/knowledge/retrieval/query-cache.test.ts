import { describe, expect, it } from 'vitest';
import { QueryEmbeddingCache, normaliseQuery } from './query-cache.js';

const v = (x: number) => new Float32Array([x]);

describe('query embedding cache', () => {
  it('hits on the same model and normalised text only', () => {
    const cache = new QueryEmbeddingCache();
    cache.set('acme', 'minilm', '  Reset  my PASSWORD ', v(1));
    expect(cache.get('acme', 'minilm', 'reset my password')).toEqual(v(1));
    expect(cache.get('acme', 'bge', 'reset my password')).toBeUndefined();
    expect(normaliseQuery('Ｒｅｓｅｔ\tthe  VPN')).toBe('reset the vpn');
  });

  it('keeps tenants apart', () => {
    const cache = new QueryEmbeddingCache({ maxEntriesPerTenant: 2 });
    cache.set('acme', 'm', 'q', v(1));
    expect(cache.get('globex', 'm', 'q')).toBeUndefined();
    cache.set('globex', 'm', 'a', v(2));
    cache.set('globex', 'm', 'b', v(3));
    cache.set('globex', 'm', 'c', v(4));
    expect(cache.get('acme', 'm', 'q')).toEqual(v(1)); // globex filling up never evicts acme
  });

  it('expires entries after the TTL and evicts the least recently used', () => {
    let now = 0;
    const cache = new QueryEmbeddingCache({ ttlMs: 1000, maxEntriesPerTenant: 2, now: () => now });
    cache.set('t', 'm', 'a', v(1));
    cache.set('t', 'm', 'b', v(2));
    expect(cache.get('t', 'm', 'a')).toEqual(v(1)); // a is now the most recent
    cache.set('t', 'm', 'c', v(3)); // evicts b
    expect(cache.get('t', 'm', 'b')).toBeUndefined();
    expect(cache.size('t')).toBe(2);
    now = 1001;
    expect(cache.get('t', 'm', 'a')).toBeUndefined();
    expect(cache.hits).toBe(1);
  });
});
