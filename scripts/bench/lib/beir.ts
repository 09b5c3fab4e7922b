import fs from 'node:fs';
import path from 'node:path';

export const datasetsDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'datasets');

export interface BeirSet {
  corpusFile: string;
  queries: { id: string; text: string }[];
  /** query id → (document id → relevance) */
  qrels: Map<string, Map<string, number>>;
}

/** Loads a BEIR-layout set (corpus.jsonl, queries.jsonl, qrels/<split>.tsv); only judged queries are kept. */
export function loadBeir(name: string, split = 'dev'): BeirSet {
  const dir = path.join(datasetsDir, name);
  const qrels = new Map<string, Map<string, number>>();
  const lines = fs
    .readFileSync(path.join(dir, 'qrels', `${split}.tsv`), 'utf8')
    .trim()
    .split('\n');
  for (const line of lines.slice(1)) {
    const [q, d, s] = line.split('\t');
    if (!q || !d) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, Number(s));
  }
  const queries = fs
    .readFileSync(path.join(dir, 'queries.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { _id: string; text: string })
    .filter((q) => qrels.has(q._id))
    .map((q) => ({ id: q._id, text: q.text }));
  return { corpusFile: path.join(dir, 'corpus.jsonl'), queries, qrels };
}
