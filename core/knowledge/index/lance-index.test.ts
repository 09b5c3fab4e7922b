import fs from 'node:fs';
import path from 'node:path';
import './lance-runtime.js';
import * as lancedb from '@lancedb/lancedb';
import { FixedSizeList, Schema } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexedChunk, KnowledgeIndex, SearchAudience } from '../../contract/retrieval.js';
import { tempDir } from '../../testing/temp-home.js';
import { chunkSchema, toRow } from './chunk-schema.js';
import { openLanceIndex } from './lance-index.js';

function chunk(docId: string, n: number, text: string, vector?: number[]): IndexedChunk {
  return {
    chunkId: `${docId}#c${n}`,
    docId,
    externalId: `${docId}.md`,
    sourceId: 'src',
    title: docId,
    source: `/kb/${docId}.md`,
    parentId: `${docId}#p0`,
    headings: ['Guide', 'Part'],
    indexText: `${docId}: ${text}`,
    snippet: text,
    parentText: `parent of ${text}`,
    isPublic: false,
    principals: [],
    ...(vector ? { vector: new Float32Array(vector) } : {}),
  };
}

describe('LanceDB knowledge index', () => {
  let dir: string;
  let cleanup: () => void;
  let index: KnowledgeIndex;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    index = await openLanceIndex(dir, { embedding: { model: 'test-3d', dims: 3 } });
  });
  afterEach(async () => {
    await index.close();
    cleanup();
  });

  it('finds chunks by full text and by vector, with hit fields intact', async () => {
    await index.replaceDocuments(
      ['printer', 'vpn'],
      [
        chunk('printer', 0, 'the office printer jams when paper is damp', [1, 0, 0]),
        chunk('vpn', 0, 'connect to the vpn before opening the intranet', [0, 1, 0]),
      ],
    );
    const m = await index.maintain();
    expect(m).toMatchObject({ chunks: 2, fullText: 'created', ann: 'not_needed' });
    const text = await index.searchText('printer jams', 5);
    expect(text[0]).toMatchObject({ chunkId: 'printer#c0', docId: 'printer' });
    const full = await index.fetchChunks([text[0]!.chunkId, 'missing#c9']);
    expect(full.size).toBe(1);
    expect(full.get('printer#c0')).toMatchObject({
      docId: 'printer',
      externalId: 'printer.md',
      headings: ['Guide', 'Part'],
      parentId: 'printer#p0',
      parentText: 'parent of the office printer jams when paper is damp',
    });
    const vec = await index.searchVector(new Float32Array([0.1, 0.9, 0]), 5);
    expect(vec.map((c) => c.docId)).toEqual(['vpn', 'printer']);
    expect(vec[0]!.score).toBeGreaterThan(vec[1]!.score);
    expect(await index.searchText('?!', 5)).toEqual([]);
  });

  it("replaces a document's chunks in one step and deletes documents", async () => {
    await index.replaceDocuments(
      ['a'],
      [chunk('a', 0, 'old alpha text', [1, 0, 0]), chunk('a', 1, 'old beta', [1, 0, 0])],
    );
    await index.replaceDocuments(['b'], [chunk('b', 0, 'bravo text', [0, 0, 1])]);
    await index.maintain();
    await index.replaceDocuments(['a'], [chunk('a', 0, 'new gamma text', [1, 0, 0])]);
    await index.maintain();
    expect(await index.countChunks()).toBe(2);
    expect(await index.searchText('old', 5)).toEqual([]);
    expect((await index.searchText('gamma', 5))[0]?.chunkId).toBe('a#c0');
    await index.replaceDocuments(['a'], []);
    expect(await index.countChunks()).toBe(1);
    await index.deleteDocuments(['b']);
    expect(await index.countChunks()).toBe(0);
  });

  it('finds rows written after the full-text index was built, once maintained', async () => {
    await index.replaceDocuments(['a'], [chunk('a', 0, 'refund policy', [1, 0, 0])]);
    await index.maintain();
    await index.replaceDocuments(['b'], [chunk('b', 0, 'warranty claims', [0, 1, 0])]);
    const m = await index.maintain();
    expect(m.fullText).toBe('updated');
    expect((await index.searchText('warranty', 5))[0]?.docId).toBe('b');
  });

  it('refuses to open an index built with another embedding model', async () => {
    await index.replaceDocuments(['a'], [chunk('a', 0, 'x', [1, 0, 0])]);
    await expect(openLanceIndex(dir, { embedding: { model: 'other', dims: 3 } })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('"test-3d"') as string,
    });
    await expect(openLanceIndex(dir, { embedding: null })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('works without vectors for full-text-only tenants', async () => {
    const { dir: d2, cleanup: c2 } = tempDir();
    const textOnly = await openLanceIndex(d2, { embedding: null });
    try {
      await textOnly.replaceDocuments(['a'], [chunk('a', 0, 'reset your password from the sign-in page')]);
      await textOnly.maintain();
      expect((await textOnly.searchText('password', 3))[0]?.docId).toBe('a');
      await expect(textOnly.searchVector(new Float32Array([1, 0, 0]), 3)).rejects.toMatchObject({
        code: 'unavailable',
      });
    } finally {
      await textOnly.close();
      c2();
    }
  });

  it('filters both legs before the limit: a narrow audience still gets its low-ranked chunk', async () => {
    const chunks = Array.from({ length: 60 }, (_, i) =>
      chunk(`open${i}`, 0, 'printer printer printer toner', [1, i / 100, 0]),
    );
    const secret = {
      ...chunk('secret', 0, `printer ${'and more words '.repeat(20)}`, [0, 0, 1]),
      principals: ['group:ops'],
    };
    const shown = {
      ...chunk('shown', 0, `printer ${'other words here '.repeat(20)}`, [0, 0.1, 1]),
      isPublic: true,
      principals: ['group:x'],
    };
    await index.replaceDocuments(
      [...chunks.map((c) => c.docId), 'secret', 'shown'],
      [...chunks, secret, shown],
    );
    await index.maintain();
    const ops: SearchAudience = { kind: 'agent', principals: ['group:ops'] };
    const textIds = async (audience?: SearchAudience) =>
      (await index.searchText('printer', 3, audience)).map((c) => c.docId);
    const vectorIds = async (audience?: SearchAudience) =>
      (await index.searchVector(new Float32Array([1, 0, 0]), 3, audience)).map((c) => c.docId);
    // Unfiltered, both restricted chunks rank last in both legs...
    for (const ids of [await textIds(), await vectorIds()]) expect(ids).not.toContain('shown');
    for (const ids of [await textIds(), await vectorIds()]) expect(ids).not.toContain('secret');
    // ...yet a narrow audience gets them within its top 3: the filter runs before the limit, not after it.
    expect(await textIds({ kind: 'agent', principals: ['group:none'] })).not.toContain('secret');
    expect(await index.searchText('printer', 100, ops)).toHaveLength(62);
    expect(await index.searchText('printer', 100, { kind: 'agent', principals: [] })).toHaveLength(61);
    expect(await textIds({ kind: 'public' })).toEqual(['shown']);
    expect(await vectorIds({ kind: 'public' })).toEqual(['shown']);
    expect(await index.searchVector(new Float32Array([0, 0, 1]), 1, ops)).toMatchObject([
      { docId: 'secret' },
    ]);
    expect(
      await index.searchVector(new Float32Array([0, 0, 1]), 1, { kind: 'agent', principals: ['group:x'] }),
    ).toMatchObject([{ docId: 'shown' }]);

    // updateAccess rewrites the access of every chunk of a document, in place.
    await index.updateAccess([
      { docId: 'secret', isPublic: true, principals: ['group:ops', 'group:ops', ' '] },
      { docId: 'shown', isPublic: false, principals: [] },
    ]);
    expect(await textIds({ kind: 'public' })).toEqual(['secret']);
    const fetched = await index.fetchChunks(['secret#c0', 'shown#c0']);
    expect(fetched.get('secret#c0')).toMatchObject({ isPublic: true, principals: ['group:ops'] });
    expect(fetched.get('shown#c0')).toMatchObject({ isPublic: false, principals: [] });
    expect(await index.countChunks()).toBe(62);
  });

  it('gives an index built before the access columns its columns on open, keeping rows, vectors and indices', async () => {
    await index.close();
    const { dir: old, cleanup: c2 } = tempDir();
    try {
      // What the previous code wrote: the chunks table without is_public / principals, and no schema version.
      const db = await lancedb.connect(old);
      const v1 = new Schema(
        chunkSchema(3).fields.filter((f) => !['is_public', 'principals', 'access'].includes(f.name)),
      );
      expect(v1.fields.map((f) => f.name)).not.toContain('principals');
      expect(v1.fields.some((f) => f.type instanceof FixedSizeList)).toBe(true);
      const table = await db.createEmptyTable('chunks', v1);
      const rows = ['printer', 'vpn', 'refund'].map((id, i) => {
        const {
          is_public: _p,
          principals: _q,
          access: _a,
          ...row
        } = toRow(chunk(id, 0, `${id} guide`, [i === 0 ? 1 : 0, i === 1 ? 1 : 0, i === 2 ? 1 : 0]), true);
        return row;
      });
      await table.add(rows);
      await table.createIndex('index_text', { config: lancedb.Index.fts({ withPosition: false }) });
      table.close();
      db.close();
      fs.writeFileSync(
        path.join(old, 'airdesk-index.json'),
        JSON.stringify({ embeddingModel: 'test-3d', dims: 3, createdAt: '2026-01-01T00:00:00.000Z' }),
      );

      index = await openLanceIndex(old, { embedding: { model: 'test-3d', dims: 3 } });
      expect(await index.countChunks()).toBe(3);
      // Old documents mean "every agent, not the widget".
      const agent: SearchAudience = { kind: 'agent', principals: ['group:eng'] };
      expect((await index.searchText('printer', 5, agent)).map((c) => c.docId)).toEqual(['printer']);
      expect(await index.searchText('printer', 5, { kind: 'public' })).toEqual([]);
      expect((await index.searchVector(new Float32Array([0, 1, 0]), 1, agent))[0]?.docId).toBe('vpn');
      expect((await index.fetchChunks(['refund#c0'])).get('refund#c0')).toMatchObject({
        isPublic: false,
        principals: [],
        snippet: 'refund guide',
      });
      const info = JSON.parse(fs.readFileSync(path.join(old, 'airdesk-index.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(info).toMatchObject({ embeddingModel: 'test-3d', schemaVersion: 2 });
      // New writes and access updates work on the migrated table; the full-text index was kept.
      await index.replaceDocuments(
        ['eng'],
        [{ ...chunk('eng', 0, 'engineering printer', [1, 0, 0]), principals: ['group:eng'] }],
      );
      await index.updateAccess([{ docId: 'vpn', isPublic: true, principals: [] }]);
      expect(await index.maintain()).toMatchObject({ chunks: 4, fullText: 'updated' });
      expect((await index.searchText('printer', 5, agent)).map((c) => c.docId).sort()).toEqual([
        'eng',
        'printer',
      ]);
      expect(
        (await index.searchText('printer', 5, { kind: 'agent', principals: [] })).map((c) => c.docId),
      ).toEqual(['printer']);
      expect((await index.searchText('vpn', 5, { kind: 'public' })).map((c) => c.docId)).toEqual(['vpn']);

      // Opening again (already migrated) changes nothing.
      await index.close();
      index = await openLanceIndex(old, { embedding: { model: 'test-3d', dims: 3 } });
      expect(await index.countChunks()).toBe(4);
    } finally {
      await index.close();
      c2();
      index = await openLanceIndex(dir, { embedding: { model: 'test-3d', dims: 3 } }); // for afterEach
    }
  });
});

describe('LanceDB knowledge index read beside its writer (the engine worker)', () => {
  let dir: string;
  let cleanup: () => void;
  const open: KnowledgeIndex[] = [];
  const reader = async () => {
    const index = await openLanceIndex(dir, { embedding: null, readConsistencySeconds: 0 });
    open.push(index);
    return index;
  };
  const writer = async () => {
    const index = await openLanceIndex(dir, { embedding: null });
    open.push(index);
    return index;
  };
  const found = async (index: KnowledgeIndex, query: string) =>
    (await index.searchText(query, 5)).map((c) => c.docId);
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    cleanup();
  });

  it('finds the documents of a first ingest that came after it opened the (empty) folder', async () => {
    const worker = await reader();
    expect(await found(worker, 'printer')).toEqual([]);
    expect(await worker.countChunks()).toBe(0);
    const main = await writer();
    await main.replaceDocuments(['printer'], [chunk('printer', 0, 'the office printer jams')]);
    await main.maintain();
    expect(await found(worker, 'printer')).toEqual(['printer']);
    expect(await worker.countChunks()).toBe(1);
  });

  it('follows an index rebuilt under it (ingest --reindex deletes the folder and writes a new one)', async () => {
    const first = await writer();
    await first.replaceDocuments(['printer'], [chunk('printer', 0, 'the office printer jams')]);
    await first.maintain();
    const worker = await reader();
    expect(await found(worker, 'printer')).toEqual(['printer']);
    await first.close();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(await found(worker, 'printer')).toEqual([]);
    const rebuilt = await writer();
    await rebuilt.replaceDocuments(['vpn'], [chunk('vpn', 0, 'connect to the vpn first')]);
    await rebuilt.maintain();
    expect(await found(worker, 'vpn')).toEqual(['vpn']);
    expect(await found(worker, 'printer')).toEqual([]);
  });
});
