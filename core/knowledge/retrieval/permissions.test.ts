import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DocumentPermissions } from '../../contract/connector.js';
import { isAppError } from '../../contract/errors.js';
import type {
  IndexCandidate,
  KnowledgeIndex,
  ParsedDocument,
  RetrievalMode,
  SearchAudience,
} from '../../contract/retrieval.js';
import type { Store } from '../../contract/store.js';
import { documentIdFor } from '../../store/sqlite/knowledge.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tempDir } from '../../testing/temp-home.js';
import { writeTinyModelFolder } from '../embedding/bert/tiny-bert.js';
import { OnnxEmbedder } from '../embedding/onnx-embedder.js';
import { KnowledgeBase } from '../knowledge-base.js';
import { ingestDocuments } from '../pipeline/ingest-run.js';
import { searchKnowledge } from './retriever.js';

/** Every document mentions the printer, so every leg returns every document the audience may see. */
const docs: Record<string, { text: string; permissions?: DocumentPermissions }> = {
  'eng.md': {
    text: 'The printer on floor 3 needs the engineering VPN profile.',
    permissions: { public: false, principals: ['group:eng'] },
  },
  'hr.md': {
    text: 'Salary slips are printed by the HR printer only.',
    permissions: { public: false, principals: ['group:hr'] },
  },
  'bob.md': {
    text: "Bob's private printer notes and his toner order.",
    permissions: { public: false, principals: ['user:bob'] },
  },
  'open.md': { text: 'Any agent may reset the printer queue from the admin page.' },
  'pub.md': {
    text: 'Customers can print receipts from the printer kiosk in the lobby.',
    permissions: { public: true, principals: ['group:support'] },
  },
};

function parsed(externalId: string, text: string, permissions?: DocumentPermissions): ParsedDocument {
  return {
    externalId,
    title: externalId.replace('.md', ''),
    source: `/kb/${externalId}`,
    sections: [{ headings: [], text }],
    ...(permissions ? { permissions } : {}),
  };
}

async function* itemsOf(
  overrides: Record<string, { text?: string; permissions?: DocumentPermissions | null }> = {},
): AsyncIterable<ParsedDocument> {
  for (const [id, doc] of Object.entries(docs)) {
    const o = overrides[id];
    const permissions = o && 'permissions' in o ? (o.permissions ?? undefined) : doc.permissions;
    yield parsed(id, o?.text ?? doc.text, permissions);
  }
}

const modes: RetrievalMode[] = ['bm25', 'vector', 'hybrid'];
const eng: SearchAudience = { kind: 'agent', principals: ['user:alice', 'group:eng'] };

describe('permission-aware retrieval (real LanceDB, tiny ONNX embedder)', () => {
  const home = tempDir();
  let embedder: OnnxEmbedder;
  let store: Store;
  let kb: KnowledgeBase;
  let tenantCount = 0;
  let tenant: string;
  const documentEmbeds: number[] = [];

  beforeAll(async () => {
    writeTinyModelFolder(home.dir, 'tiny');
    embedder = await OnnxEmbedder.open(path.join(home.dir, 'tiny'));
    store = openSqliteStore(path.join(home.dir, 'home'));
    // The knowledge base must not close the shared embedder; each test gets a fresh tenant instead.
    const embed = embedder.embed.bind(embedder);
    kb = new KnowledgeBase({
      store,
      embedder: {
        ...wrap(embedder),
        embed: (texts, kind, signal) => {
          if (kind === 'document') documentEmbeds.push(texts.length);
          return embed(texts, kind, signal);
        },
        close: async () => {},
      },
    });
  });
  afterAll(async () => {
    await kb.close();
    await embedder.close();
    await store.close();
    home.cleanup();
  });
  beforeEach(async () => {
    tenant = `t${++tenantCount}`;
    await store.tenants.create({ id: tenant });
  });

  const ingest = (items: AsyncIterable<ParsedDocument>, t = tenant) =>
    ingestDocuments(kb, { tenant: t, sourceName: 'wiki', items, prune: true });
  const seen = async (audience: SearchAudience | undefined, mode: RetrievalMode = 'hybrid', t = tenant) => {
    const result = await kb.search(t, 'printer', { mode, k: 10, ...(audience ? { audience } : {}) });
    return result.hits.map((h) => h.externalId).sort();
  };
  const docId = async (externalId: string) =>
    (await store.knowledge.listDocuments(tenant)).find((d) => d.externalId === externalId)!.id;

  it('an agent sees its groups, its own documents, open and public ones; the widget only public; admin all', async () => {
    await ingest(itemsOf());
    for (const mode of modes) {
      expect(await seen(eng, mode), mode).toEqual(['eng.md', 'open.md', 'pub.md']);
      expect(await seen({ kind: 'agent', principals: ['user:bob'] }, mode), mode).toEqual([
        'bob.md',
        'open.md',
        'pub.md',
      ]);
      expect(await seen({ kind: 'agent', principals: [] }, mode), mode).toEqual(['open.md', 'pub.md']);
      expect(await seen({ kind: 'public' }, mode), mode).toEqual(['pub.md']);
      expect(await seen({ kind: 'admin' }, mode), mode).toHaveLength(5);
      expect(await seen(undefined, mode), mode).toHaveLength(5);
    }
    // Principals are matched exactly (trimmed): another source's namespace or a prefix is not a match.
    expect(await seen({ kind: 'agent', principals: [' group:eng ', 'group:en', 'eng'] })).toEqual([
      'eng.md',
      'open.md',
      'pub.md',
    ]);
  });

  it('refuses an audience it does not know instead of searching unfiltered', async () => {
    await ingest(itemsOf());
    for (const audience of [{ kind: 'everyone' }, { kind: 'agent', principals: 'group:eng' }]) {
      const error: unknown = await kb
        .search(tenant, 'printer', { audience: audience as unknown as SearchAudience })
        .catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('invalid_input');
    }
  });

  it('only allowed chunks reach fusion and the final read; the query cache holds vectors, not results', async () => {
    await ingest(itemsOf());
    const index = await kb.indexFor(tenant);
    const allowed = new Set([await docId('eng.md'), await docId('open.md'), await docId('pub.md')]);
    const legs: IndexCandidate[] = [];
    const fetched: string[] = [];
    const spy: KnowledgeIndex = {
      ...index,
      searchText: async (...args) => record(legs, await index.searchText(...args)),
      searchVector: async (...args) => record(legs, await index.searchVector(...args)),
      fetchChunks: async (ids, audience) => {
        const found = await index.fetchChunks(ids, audience);
        fetched.push(...[...found.values()].map((c) => c.docId));
        return found;
      },
    };
    const deps = { tenant, index: spy, embedder, cache: kb.cache };
    // Admin first: the query's embedding is cached; the agent's search then reuses it and stays filtered.
    expect((await searchKnowledge(deps, 'printer queue', { k: 10 })).hits).toHaveLength(5);
    legs.length = 0;
    fetched.length = 0;
    const hitsBefore = kb.cache.hits;
    for (const fusion of ['rrf', 'convex_minmax', 'convex_zscore'] as const) {
      const result = await searchKnowledge(deps, 'printer queue', { k: 10, fusion, audience: eng });
      expect(result.hits.map((h) => h.docId).every((id) => allowed.has(id))).toBe(true);
      expect(result.hits).toHaveLength(3);
    }
    expect(kb.cache.hits).toBeGreaterThan(hitsBefore);
    expect(legs.length).toBeGreaterThan(0);
    expect(legs.every((c) => allowed.has(c.docId))).toBe(true);
    expect(fetched.every((id) => allowed.has(id))).toBe(true);

    // The final read filters too: ids of hidden chunks (a stale leg, a caller's bug) yield nothing.
    const everything = await index.searchText('printer', 50);
    expect(everything.length).toBeGreaterThanOrEqual(5);
    const publicOnly = await index.fetchChunks(
      everything.map((c) => c.chunkId),
      { kind: 'public' },
    );
    expect([...publicOnly.values()].map((c) => c.externalId)).toEqual(['pub.md']);
    expect([...publicOnly.values()][0]).toMatchObject({ isPublic: true, principals: ['group:support'] });
  });

  it('a permission change at the source takes effect on re-ingest without re-embedding', async () => {
    await ingest(itemsOf());
    const before = (await store.knowledge.getDocument(tenant, await docId('eng.md')))!;
    documentEmbeds.length = 0;
    const report = await ingest(
      itemsOf({
        'eng.md': { permissions: { public: false, principals: ['group:hr'] } },
        'bob.md': { permissions: null }, // the source dropped its restriction: every agent
        // Same access in another order is not a change.
        'pub.md': { permissions: { public: true, principals: ['group:support', 'group:support'] } },
      }),
    );
    expect(report).toMatchObject({ added: 0, updated: 2, skipped: 3, chunks: 0 });
    expect(documentEmbeds).toEqual([]); // nothing re-embedded
    for (const mode of modes) {
      expect(await seen(eng, mode), mode).toEqual(['bob.md', 'open.md', 'pub.md']);
      expect(await seen({ kind: 'agent', principals: ['group:hr'] }, mode), mode).toEqual([
        'bob.md',
        'eng.md',
        'hr.md',
        'open.md',
        'pub.md',
      ]);
    }
    const after = (await store.knowledge.getDocument(tenant, before.id))!;
    expect(after).toMatchObject({
      version: before.version,
      contentHash: before.contentHash,
      permissions: { public: false, principals: ['group:hr'] },
    });
    expect(Number(after.metadata.chunks)).toBe(Number(before.metadata.chunks));

    // A text change carries the new permissions into the new chunks; a later permission change still applies.
    await ingest(
      itemsOf({
        'eng.md': {
          text: 'The printer moved to floor 4.',
          permissions: { public: false, principals: ['group:ops'] },
        },
      }),
    );
    expect(await seen({ kind: 'agent', principals: ['group:ops'] })).toContain('eng.md');
    expect(await seen({ kind: 'agent', principals: ['group:hr'] })).not.toContain('eng.md');
    expect((await store.knowledge.getDocument(tenant, before.id))?.version).toBe(before.version + 1);
  });

  it('setPublic: an admin choice wins over the source, survives re-syncs, and null returns to the source', async () => {
    await ingest(itemsOf());
    const hr = await docId('hr.md');
    const pub = await docId('pub.md');
    expect(await kb.setPublic(tenant, hr, true)).toMatchObject({ isPublic: true, publicOverride: true });
    expect(await kb.setPublic(tenant, pub, false)).toMatchObject({ isPublic: false, publicOverride: false });
    const widget = () => seen({ kind: 'public' });
    expect(await widget()).toEqual(['hr.md']);
    for (const mode of modes) expect(await seen({ kind: 'public' }, mode), mode).toEqual(['hr.md']);
    // Public for the widget means every agent may read it too; the source's principals still apply on top.
    expect(await seen({ kind: 'agent', principals: [] })).toEqual(['hr.md', 'open.md']);

    // Unchanged re-sync, then a permission change, then a text change at the source: the choice stays.
    expect(await ingest(itemsOf())).toMatchObject({ skipped: 5 });
    expect(await widget()).toEqual(['hr.md']);
    await ingest(
      itemsOf({
        'hr.md': { permissions: { public: false, principals: ['group:payroll'] } },
        'pub.md': { permissions: { public: true, principals: [] } },
      }),
    );
    expect(await widget()).toEqual(['hr.md']);
    await ingest(
      itemsOf({
        'hr.md': { text: 'Salary slips: ask the printer in room 12.' },
        'pub.md': { text: 'Printer kiosk receipts.' },
      }),
    );
    expect(await widget()).toEqual(['hr.md']);
    expect((await store.knowledge.getDocument(tenant, hr))?.publicOverride).toBe(true);

    // Back to the source's flag (hr.md: not public; pub.md: public).
    await kb.setPublic(tenant, hr, null);
    await kb.setPublic(tenant, pub, null);
    expect(await widget()).toEqual(['pub.md']);
    expect(await store.knowledge.getDocument(tenant, hr)).toMatchObject({
      isPublic: false,
      publicOverride: null,
    });

    const missing: unknown = await kb.setPublic(tenant, 'nope', true).catch((e: unknown) => e);
    expect(isAppError(missing) && missing.code).toBe('not_found');
  });

  it('ranks documents made public exactly as before for the widget (the full-text index follows the update)', async () => {
    const topics = [
      'printer paper jam',
      'printer toner low',
      'vpn token expired',
      'refund to card',
      'badge lost',
    ];
    await ingest(
      (async function* () {
        for (const [i, topic] of topics.entries()) {
          yield {
            externalId: `d${i}`,
            title: topic,
            source: `d${i}.md`,
            sections: [
              { headings: [topic], text: `${topic}: what to do when the ${topic} happens at the office.` },
            ],
          };
        }
      })(),
    );
    const query = 'printer toner';
    const admin = await kb.search(tenant, query, { mode: 'bm25', k: 3 });
    for (const d of await store.knowledge.listDocuments(tenant)) await kb.setPublic(tenant, d.id, true);
    const widget = await kb.search(tenant, query, { mode: 'bm25', k: 3, audience: { kind: 'public' } });
    expect(widget.hits.map((h) => [h.externalId, h.score.toFixed(4)])).toEqual(
      admin.hits.map((h) => [h.externalId, h.score.toFixed(4)]),
    );
    expect(widget.hits[0]?.externalId).toBe('d1');
  });

  it("one tenant's principals never match another tenant's documents", async () => {
    const other = `t${++tenantCount}`;
    await store.tenants.create({ id: other });
    await ingest(itemsOf());
    await ingest(
      (async function* () {
        yield parsed('other-eng.md', 'The other tenant printer guide.', {
          public: true,
          principals: ['group:eng'],
        });
      })(),
      other,
    );
    for (const mode of modes) {
      expect(await seen(eng, mode, tenant), mode).toEqual(['eng.md', 'open.md', 'pub.md']);
      expect(await seen(eng, mode, other), mode).toEqual(['other-eng.md']);
      expect(await seen({ kind: 'public' }, mode, other), mode).toEqual(['other-eng.md']);
    }
    const sourceId = (await store.knowledge.listSources(tenant))[0]!.id;
    const foreign = (await store.knowledge.listSources(other))[0]!.id;
    expect(documentIdFor(sourceId, 'eng.md')).not.toBe(documentIdFor(foreign, 'eng.md'));
  });
});

function record(into: IndexCandidate[], found: IndexCandidate[]): IndexCandidate[] {
  into.push(...found);
  return found;
}

/** The embedder's methods bound, so a spread copy keeps working (class methods are not own properties). */
function wrap(embedder: OnnxEmbedder) {
  return {
    modelId: embedder.modelId,
    dims: embedder.dims,
    maxTokens: embedder.maxTokens,
    embed: embedder.embed.bind(embedder),
    close: embedder.close.bind(embedder),
  };
}
