import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexedChunk, KnowledgeIndex } from '../../contract/retrieval.js';
import { tempDir } from '../../testing/temp-home.js';
import { openLanceIndex } from '../index/lance-index.js';
import { QueryEmbeddingCache } from '../retrieval/query-cache.js';
import { searchKnowledge, type RetrieverDeps } from '../retrieval/retriever.js';
import { OnnxReranker } from './onnx-reranker.js';
import { writeTinyRerankerFolder } from './tiny-cross-encoder.js';

const documents: Record<string, string> = {
  'reset-password': 'How do I reset my password? Steps to reset the password for my account.',
  'change-password': 'Change my password: help for the account login.',
  'vpn-password': 'The vpn login asks for the password of our office account.',
  'printer-password': 'The printer is closed on sunday; a password is not needed to order a refund.',
  'refund-order': 'Refund an order: steps for the refund.',
};

function chunk(docId: string, text: string): IndexedChunk {
  return {
    chunkId: `${docId}#c0`,
    docId,
    externalId: `${docId}.md`,
    sourceId: 'kb',
    title: docId,
    source: `/kb/${docId}.md`,
    parentId: `${docId}#p0`,
    headings: [],
    indexText: text,
    snippet: text,
    parentText: text,
    isPublic: false,
    principals: [],
  };
}

describe('retrieval with the cross-encoder reranker (real LanceDB, tiny model)', () => {
  const home = tempDir();
  let index: KnowledgeIndex;
  let reranker: OnnxReranker;
  let deps: RetrieverDeps;
  const query = 'reset my password';

  beforeAll(async () => {
    writeTinyRerankerFolder(path.join(home.dir, 'models'), 'tiny-ce');
    reranker = await OnnxReranker.open(path.join(home.dir, 'models', 'tiny-ce'));
    index = await openLanceIndex(path.join(home.dir, 'index'), { embedding: null });
    const ids = Object.keys(documents);
    await index.replaceDocuments(
      ids,
      ids.map((id) => chunk(id, documents[id] ?? '')),
    );
    await index.maintain();
    deps = { tenant: 'acme', index, embedder: null, cache: new QueryEmbeddingCache(), reranker };
  });
  afterAll(async () => {
    await reranker.close();
    await index.close();
    home.cleanup();
  });

  it('re-orders the top hits by the reranker’s scores and records them per stage', async () => {
    const plain = await searchKnowledge(deps, query, { mode: 'bm25', k: 10 });
    expect(plain.hits.length).toBeGreaterThanOrEqual(4);
    expect(plain.hits.every((h) => h.stages.rerank === undefined)).toBe(true);

    const top = 3;
    const reranked = await searchKnowledge(deps, query, { mode: 'bm25', k: 10, rerankTop: top });
    const head = plain.hits.slice(0, top);
    const scores = await reranker.score(
      query,
      head.map((h) => h.parentText),
    );
    const expectedOrder = head
      .map((h, i) => ({ docId: h.docId, score: scores[i] ?? NaN }))
      .sort((a, b) => b.score - a.score);

    expect(reranked.hits.slice(0, top).map((h) => h.docId)).toEqual(expectedOrder.map((e) => e.docId));
    reranked.hits.slice(0, top).forEach((hit, i) => {
      expect(hit.stages.rerank).toBeCloseTo(expectedOrder[i]?.score ?? NaN, 5);
      expect(hit.score).toBe(hit.stages.rerank);
      expect(hit.stages.bm25).toBeDefined();
    });
    // The tiny model disagrees with BM25 here, so the test shows an actual re-ordering, not a no-op.
    expect(expectedOrder.map((e) => e.docId)).not.toEqual(head.map((h) => h.docId));
    // Hits below rerankTop keep their BM25 order and carry no rerank score.
    expect(reranked.hits.slice(top).map((h) => h.docId)).toEqual(plain.hits.slice(top).map((h) => h.docId));
    expect(reranked.hits.slice(top).every((h) => h.stages.rerank === undefined)).toBe(true);
    expect(reranked.timings.rerankMs).toBeGreaterThan(0);
  });
});
