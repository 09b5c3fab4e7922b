/**
 * Measures installed embedders on this machine: texts/s for ~100-word passages in batches, single-query
 * latency, and (with --ndcg DIR) dense nDCG@10 on a BEIR folder's dev qrels.
 *
 *   npx tsx models/build/measure-embedder.ts [--models a,b] [--threads N] [--words N] [--ndcg DIR] [MODELS_DIR]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultEmbedderCandidates, loadEmbedder } from '../../core/knowledge/embedding/registry.js';
import { packageRoot } from '../../core/package-root.js';
import { denseNdcgAt10 } from './dense-ndcg.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    models: { type: 'string', default: defaultEmbedderCandidates.join(',') },
    threads: { type: 'string', default: '2' },
    words: { type: 'string', default: '100' },
    passages: { type: 'string', default: '512' },
    ndcg: { type: 'string' },
  },
});
const modelsDir = path.resolve(
  positionals[0] ?? process.env.AIRDESK_MODELS_DIR ?? path.join(packageRoot, 'models'),
);

/** Passages of `length` words: real support-style answers when the InsuranceQA corpus is beside the repo. */
function passages(count: number, length: number): string[] {
  const corpus = path.join(packageRoot, '..', 'shared', 'datasets', 'insuranceqa', 'corpus.jsonl');
  const words = fs.existsSync(corpus)
    ? fs.readFileSync(corpus, 'utf8').slice(0, 2_000_000).split(/\s+/)
    : 'the policy covers water damage from a burst pipe but not flooding so check your deductible'.split(' ');
  return Array.from({ length: count }, (_, i) => {
    const start = (i * 7919) % Math.max(1, words.length - length);
    return words.slice(start, start + length).join(' ');
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

for (const name of (values.models ?? '').split(',')) {
  const embedder = await loadEmbedder(name, [modelsDir], { threads: Number(values.threads) });
  try {
    const texts = passages(Number(values.passages), Number(values.words));
    await embedder.embed(texts.slice(0, 32), 'document');
    let start = performance.now();
    await embedder.embed(texts, 'document');
    const perSecond = texts.length / ((performance.now() - start) / 1000);
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      start = performance.now();
      await embedder.embed([`how do I reset my password for account ${i}`], 'query');
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    let line =
      `${name}: ${perSecond.toFixed(0)} passages/s (${values.words} words, batches of 32, ${values.threads} threads), ` +
      `query p50 ${percentile(latencies, 0.5).toFixed(1)} ms p95 ${percentile(latencies, 0.95).toFixed(1)} ms`;
    if (values.ndcg) {
      const { ndcg, queries } = await denseNdcgAt10(embedder, values.ndcg);
      line += `, dense nDCG@10 ${ndcg.toFixed(4)} (${queries} queries)`;
    }
    console.log(line);
  } finally {
    await embedder.close();
  }
}
