/**
 * `npm run bench:permissions`: what the access prefilter costs. Hybrid queries on a 20k-chunk index (384 dims,
 * clustered synthetic vectors) for admin (no filter), agents and the widget, with a flat vector scan and with
 * IVF_PQ. Prints the table and writes it to BENCHMARKS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Embedder, IndexedChunk, SearchAudience } from '../../core/contract/retrieval.js';
import { openLanceIndex } from '../../core/knowledge/index/lance-index.js';
import { QueryEmbeddingCache } from '../../core/knowledge/retrieval/query-cache.js';
import { searchKnowledge } from '../../core/knowledge/retrieval/retriever.js';
import { percentile } from '../../core/quality/ir-metrics.js';
import { seededRandom } from '../../core/seeded-random.js';
import { writeSection } from './lib/benchmarks-md.js';
import { machineLine, today } from './lib/machine.js';

const chunks = 20_000;
const dims = 384;
const groups = 20;
const queries = 200;
const warmup = 20;
const home = { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-bench-permissions-')) };

const random = seededRandom(7);
const vocabulary = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}`);
const word = () => vocabulary[Math.floor(random() ** 2 * vocabulary.length)]!;
const centroids = Array.from({ length: 200 }, () => unit(Array.from({ length: dims }, () => random() - 0.5)));
const rows: IndexedChunk[] = [];
const share = { open: 0, public: 0, restricted: 0 };
for (let i = 0; i < chunks; i++) {
  const docId = `d${Math.floor(i / 4)}`;
  const r = random();
  // 40% open to every agent, 5% public, the rest restricted to one of 20 groups (and sometimes a user).
  const access =
    r < 0.4
      ? { isPublic: false, principals: [] }
      : r < 0.45
        ? { isPublic: true, principals: [`group:g${i % groups}`] }
        : {
            isPublic: false,
            principals: [`group:g${i % groups}`, ...(random() < 0.2 ? [`user:u${i % 50}`] : [])],
          };
  share[r < 0.4 ? 'open' : r < 0.45 ? 'public' : 'restricted'] += 1;
  const text = Array.from({ length: 40 }, word).join(' ');
  const c = centroids[i % centroids.length]!;
  rows.push({
    chunkId: `${docId}#p0c${i % 4}`,
    docId,
    externalId: docId,
    sourceId: 'bench',
    title: docId,
    source: 'bench',
    parentId: `${docId}#p0`,
    headings: [],
    indexText: text,
    snippet: text,
    parentText: text,
    ...access,
    vector: unit(Array.from(c, (x) => x + (random() - 0.5) * 0.02)),
  });
}
const queryTexts = Array.from({ length: queries }, () => `${word()} ${word()} ${word()}`);
const queryVectors = new Map(
  queryTexts.map((q, i) => [
    q,
    unit(Array.from(centroids[i % centroids.length]!, (x) => x + (random() - 0.5) * 0.05)),
  ]),
);
const embedder: Embedder = {
  modelId: 'bench',
  dims,
  maxTokens: 512,
  embed: async (texts) =>
    texts.map((t) => queryVectors.get(t) ?? unit(Array.from({ length: dims }, () => 1))),
  close: async () => {},
};
const audiences: [string, SearchAudience | undefined][] = [
  ['admin (no filter)', undefined],
  ['agent, 1 group', { kind: 'agent', principals: ['group:g3'] }],
  [
    'agent, 5 groups + user',
    {
      kind: 'agent',
      principals: ['group:g1', 'group:g2', 'group:g3', 'group:g4', 'group:g5', 'user:u7'],
    },
  ],
  ['agent, no group', { kind: 'agent', principals: [] }],
  ['public (widget)', { kind: 'public' }],
];
const lines = [
  `${chunks} chunks, ${dims} dims: ${share.open} open, ${share.public} public, ${share.restricted} restricted to 1 of ${groups} groups`,
  '| vector index | audience | visible chunks | hybrid p50 ms | p95 ms | bm25 leg p50 | vector leg p50 |',
  '|---|---|---|---|---|---|---|',
];
for (const ann of [false, true]) {
  const dir = `${home.dir}/${ann ? 'ivf' : 'flat'}`;
  const index = await openLanceIndex(dir, {
    embedding: { model: 'bench', dims },
    annThreshold: ann ? 10_000 : 1_000_000,
  });
  for (let start = 0; start < rows.length; start += 5_000) {
    const batch = rows.slice(start, start + 5_000);
    await index.replaceDocuments([...new Set(batch.map((c) => c.docId))], batch);
  }
  await index.maintain();
  const deps = { tenant: 'bench', index, embedder, cache: new QueryEmbeddingCache() };
  for (const [name, audience] of audiences) {
    const visible = rows.filter((c) => visibleTo(c, audience)).length;
    const total: number[] = [];
    const bm25: number[] = [];
    const vector: number[] = [];
    for (const [i, q] of [...queryTexts.slice(0, warmup), ...queryTexts].entries()) {
      const result = await searchKnowledge(deps, q, { k: 10, ...(audience ? { audience } : {}) });
      if (i < warmup) continue;
      total.push(result.timings.totalMs);
      bm25.push(result.timings.bm25Ms);
      vector.push(result.timings.vectorMs);
    }
    const f = (v: number) => v.toFixed(1);
    lines.push(
      `| ${ann ? 'IVF_PQ' : 'flat'} | ${name} | ${visible} | ${f(percentile(total, 50))} | ${f(percentile(total, 95))} | ${f(percentile(bm25, 50))} | ${f(percentile(vector, 50))} |`,
    );
  }
  await index.close();
}
console.log(lines.join('\n'));
writeSection(
  'Permission filter (`npm run bench:permissions`)',
  `Machine: ${machineLine()}. Date: ${today()}.\n\n${lines.join('\n')}`,
);
fs.rmSync(home.dir, { recursive: true, force: true });

function visibleTo(c: IndexedChunk, audience: SearchAudience | undefined): boolean {
  if (!audience || audience.kind === 'admin') return true;
  if (audience.kind === 'public') return c.isPublic;
  return c.isPublic || c.principals.length === 0 || c.principals.some((p) => audience.principals.includes(p));
}

function unit(v: number[]): Float32Array {
  const norm = Math.hypot(...v) || 1;
  return Float32Array.from(v, (x) => x / norm);
}
