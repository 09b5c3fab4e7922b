/**
 * Standard ranking metrics as BEIR/TREC compute them, for benchmarks and, later, evaluation runs and
 * regression gates. `relevant` maps a document id to its graded relevance (> 0 means relevant).
 */
export type Judgements = ReadonlyMap<string, number>;

/** nDCG@k with the exponential gain 2^rel − 1 (trec_eval's default for graded judgements). */
export function ndcgAt(ranked: readonly string[], relevant: Judgements, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    const rel = relevant.get(id) ?? 0;
    if (rel > 0) dcg += (2 ** rel - 1) / Math.log2(i + 2);
  });
  const ideal = [...relevant.values()]
    .filter((r) => r > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idcg = ideal.reduce((sum, rel, i) => sum + (2 ** rel - 1) / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Reciprocal rank of the first relevant document within the top k, else 0. */
export function mrrAt(ranked: readonly string[], relevant: Judgements, k: number): number {
  const i = ranked.slice(0, k).findIndex((id) => (relevant.get(id) ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Share of the relevant documents found in the top k. */
export function recallAt(ranked: readonly string[], relevant: Judgements, k: number): number {
  const total = [...relevant.values()].filter((r) => r > 0).length;
  if (total === 0) return 0;
  return ranked.slice(0, k).filter((id) => (relevant.get(id) ?? 0) > 0).length / total;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
