import fs from 'node:fs';
import path from 'node:path';
import type { Embedder } from '../../core/contract/retrieval.js';

/** A BEIR folder: corpus.jsonl, queries.jsonl, qrels/dev.tsv. */
export function readBeir(dir: string) {
  const lines = (file: string) =>
    fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  const corpus = lines('corpus.jsonl').map(
    (l) => JSON.parse(l) as { _id: string; title?: string; text: string },
  );
  const queries = lines('queries.jsonl').map((l) => JSON.parse(l) as { _id: string; text: string });
  const qrels = new Map<string, Set<string>>();
  for (const line of lines(path.join('qrels', 'dev.tsv')).slice(1)) {
    const [qid = '', docId = '', score = '0'] = line.split('\t');
    if (Number(score) > 0) qrels.set(qid, (qrels.get(qid) ?? new Set()).add(docId));
  }
  return { corpus, queries: queries.filter((q) => qrels.has(q._id)), qrels };
}

/**
 * Dense-only nDCG@10 of an embedder on a BEIR folder's dev qrels, by exhaustive cosine search. Used to compare
 * model variants (fp32 against int8) with each other, not to tune anything.
 */
export async function denseNdcgAt10(
  embedder: Embedder,
  dir: string,
): Promise<{ ndcg: number; queries: number }> {
  const { corpus, queries, qrels } = readBeir(dir);
  const docs = await embedder.embed(
    corpus.map((d) => (d.title ? `${d.title}\n${d.text}` : d.text)),
    'document',
  );
  const qv = await embedder.embed(
    queries.map((q) => q.text),
    'query',
  );
  let total = 0;
  queries.forEach((q, i) => {
    const v = qv[i] ?? new Float32Array();
    const scored = docs.map((d, j) => {
      let dot = 0;
      for (let k = 0; k < v.length; k++) dot += (v[k] ?? 0) * (d[k] ?? 0);
      return { id: corpus[j]?._id ?? '', dot };
    });
    scored.sort((a, b) => b.dot - a.dot);
    const relevant = qrels.get(q._id) ?? new Set<string>();
    let dcg = 0;
    scored.slice(0, 10).forEach((s, rank) => (dcg += relevant.has(s.id) ? 1 / Math.log2(rank + 2) : 0));
    let ideal = 0;
    for (let rank = 0; rank < Math.min(10, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2);
    total += ideal > 0 ? dcg / ideal : 0;
  });
  return { ndcg: total / queries.length, queries: queries.length };
}
