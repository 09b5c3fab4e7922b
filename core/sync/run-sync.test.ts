import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contract/store.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { addConnector } from './add-connector.js';
import { runSync, type SyncRequest } from './run-sync.js';
import { FakeSource, fakeRegistry, memorySecretStore } from './testing/fake-connector.js';

describe('runSync (real SQLite + LanceDB, fake connector)', () => {
  let cleanup: () => void;
  let store: Store;
  let kb: KnowledgeBase;
  let source: FakeSource;
  let secrets: ReturnType<typeof memorySecretStore>;
  let server: http.Server | null = null;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    store = openSqliteStore(path.join(dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    kb = new KnowledgeBase({ store, embedder: null });
    source = new FakeSource();
    source.put('a', 'Refunds', '# Refunds\n\nRefunds go back to the original card within five days.');
    source.put('b', 'VPN', '# VPN\n\nUse the Frankfurt gateway to reach the intranet.');
    source.put('c', 'Printers', '# Printers\n\nDamp paper jams the office printer.');
    secrets = memorySecretStore();
  });
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = null;
    await kb.close();
    await store.close();
    cleanup();
  });

  const add = async (settings: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
    addConnector({
      store,
      secrets,
      tenant: 'acme',
      kind: 'fake',
      file: { name: 'wiki', settings },
      signal: AbortSignal.timeout(10_000),
      env,
      registry: fakeRegistry(source),
    });
  const sync = (connectorId: string, extra: Partial<SyncRequest> = {}) =>
    runSync({
      kb,
      store,
      secrets,
      tenant: 'acme',
      connectorId,
      signal: AbortSignal.timeout(30_000),
      registry: fakeRegistry(source),
      retry: { baseDelayMs: 1 },
      ...extra,
    });
  const docs = async () => (await store.knowledge.listDocuments('acme')).map((d) => d.externalId).sort();
  const top = async (q: string) => (await kb.search('acme', q, { mode: 'bm25', k: 5 })).hits;

  it('syncs everything first, then only what changed, and prunes what the source deleted', async () => {
    const c = await add();
    const first = await sync(c.id);
    expect(first).toMatchObject({ status: 'succeeded', added: 3, updated: 0, deleted: 0, error: null });
    expect(source.loads).toEqual([0, 2]); // two pages of two
    expect(await docs()).toEqual(['a', 'b', 'c']);
    const [hit] = await top('Frankfurt gateway');
    expect(hit).toMatchObject({ externalId: 'b', title: 'VPN' });

    source.put('b', 'VPN', '# VPN\n\nUse the Zurich gateway to reach the intranet.');
    source.items.delete('c');
    const second = await sync(c.id);
    expect(second).toMatchObject({ status: 'succeeded', added: 0, updated: 1, deleted: 1 });
    expect(await docs()).toEqual(['a', 'b']);
    expect((await top('Zurich gateway'))[0]?.externalId).toBe('b');
    expect(await top('printer jams')).toEqual([]);
    expect((await store.connectors.runs('acme', c.id)).map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('refuses to prune most of a source on an empty listing (an unmounted share) unless the sync is --full', async () => {
    source.pageSize = 20;
    for (let i = 0; i < 9; i += 1) source.put(`x${i}`, `Extra ${i}`, `# Extra ${i}\n\nNote number ${i}.`);
    const c = await add();
    expect(await sync(c.id)).toMatchObject({ status: 'succeeded', added: 12 });
    source.items.clear();
    const blinked = await sync(c.id);
    expect(blinked).toMatchObject({ status: 'succeeded', deleted: 0 });
    expect(blinked.failures[0]?.message).toMatch(
      /no longer lists 12 of its 12 documents; nothing was deleted/,
    );
    expect(await docs()).toHaveLength(12);
    expect(await sync(c.id, { full: true })).toMatchObject({ status: 'succeeded', deleted: 12 });
    expect(await docs()).toEqual([]);
  });

  it('asks only for what changed since the last window (minus the clock-skew margin)', async () => {
    const c = await add();
    await sync(c.id, { clockSkewMs: 0 });
    source.loads.length = 0;
    await new Promise((r) => setTimeout(r, 5));
    source.put('a', 'Refunds', '# Refunds\n\nRefunds take ten days now.');
    const run = await sync(c.id, { clockSkewMs: 0 });
    expect(run).toMatchObject({ status: 'succeeded', updated: 1, added: 0 });
    expect(source.loads).toEqual([0]); // one changed item: one page
  });

  it('records per-item and parse failures without stopping the run', async () => {
    source.put('x', 'Broken', 'irrelevant', { broken: true });
    source.put('y', 'Empty', '   ');
    const c = await add();
    const run = await sync(c.id);
    expect(run.status).toBe('succeeded');
    expect(run.added).toBe(3);
    expect(run.failures).toEqual([
      { externalId: 'x', message: 'attachment unreadable' },
      { externalId: 'y', message: 'empty document' },
    ]);
  });

  it('keeps url, hierarchy and permissions on the documents', async () => {
    source.put('p', 'Secret plan', '# Plan\n\nThe quarterly roadmap.', {
      permissions: { public: false, principals: ['group:staff'] },
    });
    const c = await add();
    await sync(c.id);
    const doc = (await store.knowledge.listDocuments('acme')).find((d) => d.externalId === 'p');
    expect(doc?.metadata).toMatchObject({
      url: 'https://fake.local/p',
      hierarchy: ['Space'],
      permissions: { public: false, principals: ['group:staff'] },
    });
  });

  it('stores secrets by reference and hands the value to the connector', async () => {
    const seen: string[] = [];
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.end('{}');
    });
    const url = await listen(server);
    const c = await add({ apiUrl: url, token: { env: 'FAKE_TOKEN' } }, { FAKE_TOKEN: 's3cret' });
    expect(JSON.stringify(c.settings)).not.toContain('s3cret');
    expect(c.settings.token).toEqual({ secretRef: expect.any(String) as unknown });
    expect((await sync(c.id)).status).toBe('succeeded');
    expect(new Set(seen)).toEqual(new Set(['Bearer s3cret']));
  });

  it('refuses to add a connector whose validate() fails, with its message, and stores nothing', async () => {
    server = http.createServer((_req, res) => {
      res.statusCode = 401;
      res.end();
    });
    const url = await listen(server);
    await expect(add({ apiUrl: url, token: { env: 'T' } }, { T: 'bad' })).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/was not added: the fake API refused the token/) as unknown,
    });
    expect(await store.connectors.list('acme')).toEqual([]);
    expect(secrets.values.size).toBe(0);
  });

  it('fails a run whose token expires mid-run, keeps the checkpoint, and resumes after the fix', async () => {
    let expired = false;
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/page?offset=2')) expired = true;
      res.statusCode = expired && req.headers.authorization !== 'Bearer fixed' ? 401 : 200;
      res.end('{}');
    });
    const url = await listen(server);
    const c = await add({ apiUrl: url, token: { env: 'T' } }, { T: 'old' });
    const failed = await sync(c.id);
    expect(failed).toMatchObject({ status: 'failed', added: 2 });
    expect(failed.error).toMatch(/refused the token \(401\).*sync position is kept/);
    expect(await store.connectors.loadCheckpoint('acme', c.id)).toMatchObject({ hasMore: true });

    const ref = (c.settings.token as { secretRef: string }).secretRef;
    secrets.values.set(ref, 'fixed');
    source.loads.length = 0;
    const resumed = await sync(c.id);
    expect(resumed).toMatchObject({ status: 'succeeded', added: 1 });
    expect(source.loads).toEqual([2]); // from the saved page on, not from the start
    expect(await docs()).toEqual(['a', 'b', 'c']);
  });

  it('honours 429 Retry-After through the fetch wrapper', async () => {
    const times: number[] = [];
    server = http.createServer((req, res) => {
      times.push(Date.now());
      if (req.url?.startsWith('/page') && times.length === 2) {
        res.statusCode = 429;
        res.setHeader('Retry-After', '1');
      }
      res.end('{}');
    });
    const url = await listen(server);
    const c = await add({ apiUrl: url, token: { env: 'T' } }, { T: 'tok' });
    const logs: string[] = [];
    const run = await sync(c.id, { log: (m) => logs.push(m) });
    expect(run.status).toBe('succeeded');
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
    expect(logs.join('\n')).toMatch(/retrying GET http:\/\/127\.0\.0\.1:\d+\/page after 429/);
    expect(logs.join('\n')).not.toMatch(/tok|offset=/);
  });

  it('ends cancelled when aborted, and the next run resumes', async () => {
    const c = await add();
    const abort = new AbortController();
    const run = await sync(c.id, {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.pages === 1) abort.abort();
      },
    });
    expect(run).toMatchObject({ status: 'cancelled', added: 2, error: null });
    source.loads.length = 0;
    expect(await sync(c.id)).toMatchObject({ status: 'succeeded', added: 1 });
    expect(source.loads).toEqual([2]);
  });

  it('refuses a second run of the same connector while one is running', async () => {
    const c = await add();
    source.pageDelayMs = 100;
    const first = sync(c.id);
    await expect(sync(c.id)).rejects.toMatchObject({ code: 'conflict' });
    expect((await first).status).toBe('succeeded');
  });

  it('records an unknown or broken connector kind as a failed run', async () => {
    const c = await add();
    const run = await sync(c.id, {
      registry: {
        fake: () => Promise.reject(new Error('Cannot find package "fake-client"')),
      },
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/the fake connector could not be loaded \(Cannot find package "fake-client"\)/);
  });
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
