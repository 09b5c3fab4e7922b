import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantRoute } from '../contract/console-api.js';
import {
  documentListSchema,
  knowledgeRoutes,
  knowledgeSourceListSchema,
  passageSchema,
  playgroundResultSchema,
} from '../contract/knowledge-api.js';
import type { ParsedDocument } from '../contract/retrieval.js';
import { writeTinyModelFolder } from '../knowledge/embedding/bert/tiny-bert.js';
import { OnnxEmbedder } from '../knowledge/embedding/onnx-embedder.js';
import { ingestDocuments } from '../knowledge/pipeline/ingest-run.js';
import { tempDir } from '../testing/temp-home.js';
import { openKnowledgeTestApp, type KnowledgeTestApp } from './knowledge-app.testing.js';

interface ErrorJson {
  error: { code: string; message: string };
}

const handbook: ParsedDocument[] = [
  {
    externalId: 'returns.md',
    title: 'Returns',
    source: '/kb/returns.md',
    sections: [
      { headings: ['Returns'], text: 'Unworn shoes can be returned within 30 days of delivery.' },
      { headings: ['Returns', 'Refunds'], text: 'Refunds reach the card within five business days.' },
    ],
  },
  {
    externalId: 'vpn.md',
    title: 'VPN access',
    source: '/kb/vpn.md',
    sections: [{ headings: ['VPN'], text: 'Use the Frankfurt gateway to reach the intranet from home.' }],
  },
];

async function ingest(t: KnowledgeTestApp, tenant: string, sourceName: string, docs: ParsedDocument[]) {
  await ingestDocuments(t.knowledge, {
    tenant,
    sourceName,
    prune: false,
    items: (async function* () {
      yield* docs;
    })(),
  });
}

const get = (t: KnowledgeTestApp, url: string) => t.app.inject({ url });

describe('browsing knowledge and the search playground, full text only', () => {
  let t: KnowledgeTestApp;
  beforeAll(async () => {
    t = await openKnowledgeTestApp();
    await ingest(t, 'acme', 'handbook', handbook);
    await ingest(t, 'acme', 'empty-source', []);
    await ingest(t, 'globex', 'secrets', [
      {
        externalId: 'plans.md',
        title: 'Globex plans',
        source: '/g/plans.md',
        sections: [{ headings: [], text: 'Globex will reach the intranet through Frankfurt too.' }],
      },
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists sources with document and public counts and the last change', async () => {
    const docs = await t.store.knowledge.listDocuments('acme');
    await t.knowledge.setPublic('acme', docs.find((d) => d.externalId === 'vpn.md')!.id, true);
    const res = await get(t, tenantRoute(knowledgeRoutes.sources, 'acme'));
    expect(res.statusCode).toBe(200);
    const { sources } = knowledgeSourceListSchema.parse(res.json());
    expect(sources.map((s) => [s.name, s.kind, s.documents, s.publicDocuments])).toEqual([
      ['empty-source', 'upload', 0, 0],
      ['handbook', 'upload', 2, 1],
    ]);
    expect(sources[0]!.lastUpdatedAt).toBeNull();
    expect(Date.parse(sources[1]!.lastUpdatedAt!)).toBeGreaterThan(Date.parse(sources[1]!.createdAt) - 1);
    expect((await get(t, tenantRoute(knowledgeRoutes.sources, 'nope'))).statusCode).toBe(404);
  });

  it('lists documents, filtered by source and by text in the title or external id', async () => {
    const all = documentListSchema.parse(
      (await get(t, tenantRoute(knowledgeRoutes.documents, 'acme'))).json(),
    );
    expect(all.documents.map((d) => [d.externalId, d.sourceName, d.version, d.status])).toEqual([
      ['returns.md', 'handbook', 1, 'indexed'],
      ['vpn.md', 'handbook', 1, 'indexed'],
    ]);
    expect(all.documents.find((d) => d.externalId === 'vpn.md')).toMatchObject({
      isPublic: true,
      publicOverride: true,
    });
    const url = (query: string) => `${tenantRoute(knowledgeRoutes.documents, 'acme')}?${query}`;
    const titles = async (query: string) =>
      documentListSchema.parse((await get(t, url(query))).json()).documents.map((d) => d.title);
    expect(await titles('q=vpn')).toEqual(['VPN access']);
    expect(await titles('q=RETURNS.MD')).toEqual(['Returns']);
    expect(await titles('limit=1')).toEqual(['Returns']);
    const handbookId = all.documents[0]!.sourceId;
    expect(await titles(`source=${handbookId}&q=access`)).toEqual(['VPN access']);
    const globexSource = (await t.store.knowledge.listSources('globex'))[0]!.id;
    const foreign = await get(t, url(`source=${globexSource}`));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<ErrorJson>().error.message).toMatch(/does not exist in tenant "acme"/);
    expect((await get(t, url('limit=0'))).statusCode).toBe(400);
  });

  it('runs the query through each mode: BM25 ranks, vector explains why it is off, hybrid falls back', async () => {
    const res = await get(
      t,
      `${tenantRoute(knowledgeRoutes.playground, 'acme')}?q=${encodeURIComponent('Frankfurt intranet')}&k=5`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const result = playgroundResultSchema.parse(res.json());
    expect(result.query).toBe('Frankfurt intranet');
    expect(result.bm25.hits.map((h) => [h.rank, h.title])).toEqual([[1, 'VPN access']]);
    expect(result.bm25.hits[0]!.stages.bm25).toMatchObject({ rank: 1 });
    expect(result.bm25.hits[0]!.headings).toEqual(['VPN']);
    expect(result.bm25.notice).toBeNull();
    expect(result.vector.hits).toEqual([]);
    expect(result.vector.notice).toMatch(/no embedding model is installed/);
    expect(result.hybrid.hits.map((h) => h.title)).toEqual(['VPN access']);
    expect(result.hybrid.notice).toMatch(/full-text search only/);
    // The other tenant's document about Frankfurt is never among the hits.
    expect(JSON.stringify(result)).not.toContain('Globex');
    const empty = await get(t, `${tenantRoute(knowledgeRoutes.playground, 'acme')}?q=%20`);
    expect(empty.statusCode).toBe(400);
    expect(empty.json<ErrorJson>().error.message).toMatch(/type a question/);
  });

  it('reads the passage a hit points at with its parent section, only in its own tenant', async () => {
    const hit = (await t.knowledge.search('acme', 'refunds card', { mode: 'bm25' })).hits[0]!;
    const url = (tenant: string, chunk: string) =>
      tenantRoute(knowledgeRoutes.passage, tenant).replace(':chunk', encodeURIComponent(chunk));
    const res = await get(t, url('acme', hit.chunkId));
    expect(res.statusCode, res.body).toBe(200);
    expect(passageSchema.parse(res.json())).toMatchObject({
      chunkId: hit.chunkId,
      title: 'Returns',
      externalId: 'returns.md',
      source: '/kb/returns.md',
      headings: ['Returns', 'Refunds'],
      text: expect.stringContaining('Refunds reach the card') as string,
      parentText: expect.stringContaining('Refunds reach the card') as string,
    });
    const missing = await get(t, url('acme', 'no-such-chunk'));
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorJson>().error.message).toMatch(/not in tenant "acme"/);
    expect((await get(t, url('globex', hit.chunkId))).statusCode).toBe(404);
    // A quote in the id is data, not part of the index's filter.
    expect((await get(t, url('acme', "x' OR 1=1 --"))).statusCode).toBe(404);
  });
});

describe('the search playground with an embedding model (tiny ONNX model)', () => {
  const models = tempDir();
  let t: KnowledgeTestApp;
  beforeAll(async () => {
    writeTinyModelFolder(models.dir, 'tiny');
    t = await openKnowledgeTestApp({ embedder: await OnnxEmbedder.open(path.join(models.dir, 'tiny')) });
    await ingest(t, 'acme', 'handbook', handbook);
  });
  afterAll(async () => {
    await t?.close();
    models.cleanup();
  });

  it('shows each leg ranked on its own and hybrid with both legs’ ranks and scores', async () => {
    const res = await get(
      t,
      `${tenantRoute(knowledgeRoutes.playground, 'acme')}?q=${encodeURIComponent('returned shoes')}`,
    );
    const result = playgroundResultSchema.parse(res.json());
    for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
      expect(result[mode].mode).toBe(mode);
      expect(result[mode].notice).toBeNull();
      expect(result[mode].totalMs).toBeGreaterThanOrEqual(0);
      expect(result[mode].hits.map((h) => h.rank)).toEqual(result[mode].hits.map((_, i) => i + 1));
    }
    expect(result.bm25.hits[0]!.title).toBe('Returns');
    // The vector leg ranks every document (a tiny random model: its order is not the point).
    expect(result.vector.hits).toHaveLength(2);
    expect(result.vector.hits[0]!.stages.vector).toMatchObject({ rank: 1 });
    const hybridReturns = result.hybrid.hits.find((h) => h.title === 'Returns')!;
    expect(hybridReturns.stages.bm25).toMatchObject({ rank: 1 });
    expect(hybridReturns.stages.vector?.rank).toBeGreaterThanOrEqual(1);
    expect(typeof hybridReturns.stages.fused).toBe('number');
  });
});
