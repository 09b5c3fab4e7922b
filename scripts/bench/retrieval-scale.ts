import fs from 'node:fs';
import type { Embedder, IndexedChunk } from '../../core/contract/retrieval.js';
import type { Store } from '../../core/contract/store.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { percentile } from '../../core/quality/ir-metrics.js';
import { table } from './lib/benchmarks-md.js';
import { seededRandom } from '../../core/seeded-random.js';

const target = 100_000;
const baseTexts = 2_000;

/**
 * Builds a 100k-chunk index from synthetic chunks — sentences of the real corpus recombined, with vectors that
 * are real embeddings of corpus texts plus noise (so the ANN index sees clustered, realistic data) — then times
 * hybrid and BM25 queries with real questions. Returns a Markdown table.
 */
export async function runScaleBench(input: {
  store: Store;
  embedder: Embedder;
  queries: { text: string }[];
  corpusFile: string;
}): Promise<string> {
  const { store, embedder } = input;
  await store.tenants.create({ id: 'scale' });
  const kb = new KnowledgeBase({ store, embedder });
  const index = await kb.indexFor('scale');
  const corpus = fs
    .readFileSync(input.corpusFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const sentences = corpus.flatMap((t) => t.split(/(?<=[.?!])\s+|,\s+/)).filter((s) => s.length > 20);
  const random = mulberry32(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;

  console.error(`bench: scale: embedding ${baseTexts} base texts`);
  const base = await embedder.embed(corpus.slice(0, baseTexts), 'document');
  const buildStart = performance.now();
  for (let start = 0; start < target; start += 5_000) {
    const chunks: IndexedChunk[] = [];
    for (let i = start; i < Math.min(target, start + 5_000); i++) {
      const text = Array.from({ length: 4 }, () => pick(sentences)).join(' ');
      const docId = `syn-${i}`;
      chunks.push({
        chunkId: `${docId}#p0c0`,
        docId,
        externalId: docId,
        sourceId: 'synthetic',
        title: '',
        source: 'synthetic',
        parentId: `${docId}#p0`,
        headings: [],
        indexText: text,
        snippet: text,
        parentText: text,
        isPublic: false,
        principals: [],
        vector: noisy(base[i % baseTexts]!, 0.04, random),
      });
    }
    await index.replaceDocuments(
      chunks.map((c) => c.docId),
      chunks,
    );
    console.error(`bench: scale: ${Math.min(target, start + 5_000)} chunks written`);
  }
  const writeSeconds = (performance.now() - buildStart) / 1000;
  console.error('bench: scale: index upkeep (full text, btree, IVF_PQ)');
  const maintenance = await index.maintain();
  console.error(`bench: scale: upkeep took ${(maintenance.ms / 1000).toFixed(1)} s`);
  const rows: (string | number)[][] = [];
  for (const mode of ['hybrid', 'bm25', 'vector'] as const) {
    console.error(`bench: scale: timing ${mode} queries`);
    const times: number[] = [];
    const sample = input.queries.slice(0, 320);
    for (const [i, q] of sample.entries()) {
      const t = performance.now();
      await kb.search('scale', q.text, { mode, k: 10 });
      if (i >= 20) times.push(performance.now() - t); // the first 20 warm the caches of LanceDB
    }
    kb.cache.clearTenant('scale');
    rows.push([
      mode,
      await index.countChunks(),
      times.length,
      percentile(times, 50).toFixed(1),
      percentile(times, 95).toFixed(1),
    ]);
  }
  await kb.release('scale');
  return [
    table(['mode', 'chunks', 'queries', 'p50 ms', 'p95 ms'], rows),
    `Writing 100k chunks took ${writeSeconds.toFixed(1)} s (vectors precomputed); index upkeep ` +
      `(full text ${maintenance.fullText}, ANN ${maintenance.ann}) ${(maintenance.ms / 1000).toFixed(1)} s. ` +
      'Query times include embedding the question (not cached).',
  ].join('\n\n');
}

function noisy(vector: Float32Array, sigma: number, random: () => number): Float32Array {
  const out = new Float32Array(vector.length);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    // Box-Muller: Gaussian noise from two uniforms.
    const g = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    out[i] = vector[i]! + sigma * g;
    norm += out[i]! * out[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** The synthetic corpus is the same on every run. */
const mulberry32 = seededRandom;
