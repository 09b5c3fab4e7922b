/**
 * `npm run bench:retrieval`: retrieval quality on the InsuranceQA dev set (nDCG@10, MRR@10, Recall@100) for
 * bm25, vector and each hybrid fusion; ingest throughput; warm query latency; a 100k-chunk scale run; peak RSS.
 * Prints the tables and writes them to BENCHMARKS.md. Options: --skip-scale, --queries N (subset for a quick run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Embedder, FusionMethod, RetrievalMode } from '../../core/contract/retrieval.js';
import {
  defaultEmbedderName,
  defaultModelDirs,
  loadEmbedder,
} from '../../core/knowledge/embedding/registry.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { runIngest } from '../../core/knowledge/pipeline/ingest-run.js';
import { classifyQuery } from '../../core/knowledge/retrieval/query-type.js';
import { defaultFusion } from '../../core/knowledge/retrieval/retriever.js';
import { mean, mrrAt, ndcgAt, percentile, recallAt } from '../../core/quality/ir-metrics.js';
import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';
import { table, writeSection } from './lib/benchmarks-md.js';
import { loadBeir } from './lib/beir.js';
import { machineLine, peakRssMb, today } from './lib/machine.js';
import { runScaleBench } from './retrieval-scale.js';

interface Config {
  name: string;
  mode: RetrievalMode;
  fusion?: FusionMethod;
}

const args = process.argv.slice(2);
const skipScale = args.includes('--skip-scale');
const onlyScale = args.includes('--only-scale'); // for working on the scale run; writes nothing
const queryLimit = Number(args[args.indexOf('--queries') + 1]) || Infinity;

const set = loadBeir('insuranceqa');
const queries = set.queries.slice(0, queryLimit);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-bench-'));
const store = openSqliteStore(path.join(home, 'data'));
await store.tenants.create({ id: 'bench' });
let embedder: Embedder | null = null;
try {
  embedder = await loadEmbedder(defaultEmbedderName, defaultModelDirs(path.join(home, 'data')));
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
}
const kb = new KnowledgeBase({ store, embedder });

if (onlyScale) {
  if (!embedder) throw new Error('the scale run needs the embedding model (npm run setup:models)');
  console.log(await runScaleBench({ store, embedder, queries, corpusFile: set.corpusFile }));
  await kb.close();
  await store.close();
  fs.rmSync(home, { recursive: true, force: true });
  process.exit(0);
}

console.error(
  `bench: ingesting ${set.corpusFile} (${embedder ? embedder.modelId : 'no embedder: BM25 only'})`,
);
const ingest = await runIngest(kb, { tenant: 'bench', paths: [set.corpusFile], batchDocuments: 128 });
console.error(`bench: ${ingest.added} documents, ${ingest.chunks} chunks in ${ingest.seconds.toFixed(1)} s`);

const configs: Config[] = [{ name: 'bm25', mode: 'bm25' }];
if (embedder) {
  configs.push(
    { name: 'vector', mode: 'vector' },
    { name: 'hybrid, RRF (k=60)', mode: 'hybrid', fusion: 'rrf' },
    { name: 'hybrid, convex min-max (alpha by query type)', mode: 'hybrid', fusion: 'convex_minmax' },
    { name: 'hybrid, convex z-score (alpha by query type)', mode: 'hybrid', fusion: 'convex_zscore' },
  );
}

const quality: (string | number)[][] = [];
const hybridScores: { fusion: FusionMethod; ndcg: number }[] = [];
for (const config of configs) {
  const ndcg: number[] = [];
  const mrr: number[] = [];
  const recall: number[] = [];
  for (const q of queries) {
    const result = await kb.search('bench', q.text, {
      mode: config.mode,
      ...(config.fusion ? { fusion: config.fusion } : {}),
      k: 100,
      candidates: 200,
    });
    const ranked = result.hits.map((h) => h.externalId);
    const rel = set.qrels.get(q.id)!;
    ndcg.push(ndcgAt(ranked, rel, 10));
    mrr.push(mrrAt(ranked, rel, 10));
    recall.push(recallAt(ranked, rel, 100));
  }
  const row = [config.name, mean(ndcg).toFixed(4), mean(mrr).toFixed(4), mean(recall).toFixed(4)];
  console.error(`bench: ${row.join('  ')}`);
  quality.push(row);
  if (config.fusion) hybridScores.push({ fusion: config.fusion, ndcg: mean(ndcg) });
}
const best = hybridScores.sort((a, b) => b.ndcg - a.ndcg)[0];

// Latency: a fresh cache so every query is embedded, k=10 as the product asks, after a short warm-up.
const latencyKb = new KnowledgeBase({ store, embedder });
const latency: (string | number)[][] = [];
const latencyQueries = queries.slice(0, 500);
for (const mode of embedder ? (['bm25', 'vector', 'hybrid'] as const) : (['bm25'] as const)) {
  for (const q of latencyQueries.slice(0, 20)) await latencyKb.search('bench', q.text, { mode });
  latencyKb.cache.clearTenant('bench');
  const times: number[] = [];
  for (const q of latencyQueries) {
    const t = performance.now();
    await latencyKb.search('bench', q.text, { mode, k: 10 });
    times.push(performance.now() - t);
  }
  latency.push([
    mode,
    latencyQueries.length,
    percentile(times, 50).toFixed(1),
    percentile(times, 95).toFixed(1),
  ]);
}

const types = new Map<string, number>();
for (const q of queries)
  types.set(classifyQuery(q.text).type, (types.get(classifyQuery(q.text).type) ?? 0) + 1);

const scale =
  skipScale || !embedder
    ? null
    : await runScaleBench({ store, embedder, queries, corpusFile: set.corpusFile });

const sections = [
  `Run ${today()} on ${machineLine()}. Data: ../shared/datasets/insuranceqa (8,690 answers, ${queries.length} judged dev questions). ` +
    `Embedder: ${embedder ? embedder.modelId : 'none (BM25 only)'}.`,
  '### Quality (dev set)',
  table(['retrieval', 'nDCG@10', 'MRR@10', 'Recall@100'], quality),
  best
    ? `Best fusion on this run: ${best.fusion}; the product's default (core/knowledge/retrieval/retriever.ts) is ${defaultFusion}.`
    : 'No embedder, so no hybrid runs.',
  `Query types found by the classifier on these questions: ${[...types].map(([t, n]) => `${t} ${n}`).join(', ')}.`,
  '### Ingest',
  table(
    ['documents', 'chunks', 'seconds', 'documents/s', 'chunks/s'],
    [
      [
        ingest.added,
        ingest.chunks,
        ingest.seconds.toFixed(1),
        ingest.documentsPerSecond.toFixed(0),
        ingest.chunksPerSecond.toFixed(0),
      ],
    ],
  ),
  '### Query latency (warm, in-process, k=10, query embedding not cached)',
  table(['mode', 'queries', 'p50 ms', 'p95 ms'], latency),
];
if (scale) sections.push('### Scale run (100k chunks)', scale);
sections.push(`Peak RSS: ${peakRssMb().toFixed(0)} MB.`);
const body = sections.join('\n\n');
console.log(body);
console.error(`bench: wrote ${writeSection('Retrieval (npm run bench:retrieval)', body)}`);

await latencyKb.release('bench');
await kb.close();
await store.close();
fs.rmSync(home, { recursive: true, force: true });
