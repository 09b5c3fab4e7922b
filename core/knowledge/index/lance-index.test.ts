import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexedChunk, KnowledgeIndex } from '../../contract/retrieval.js';
import { tempDir } from '../../testing/temp-home.js';
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
});
