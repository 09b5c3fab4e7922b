import type { FusionMethod } from '../../contract/retrieval.js';

/** A ranked list from one retriever: ids in rank order with that retriever's raw scores. */
export interface RankedList {
  ids: string[];
  scores: number[];
}

export interface FusedEntry {
  id: string;
  score: number;
}

/**
 * Reciprocal rank fusion (Cormack et al. 2009): score = Σ 1 / (k + rank). Scale-free, so it needs no score
 * calibration, but it weighs a weak leg as much as a strong one.
 */
export function fuseRrf(lists: RankedList[], k = 60, weights: number[] = lists.map(() => 1)): FusedEntry[] {
  const scores = new Map<string, number>();
  lists.forEach((list, l) => {
    const w = weights[l] ?? 1;
    list.ids.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + w / (k + rank + 1)));
  });
  return sortDesc(scores);
}

/**
 * Convex combination of normalised scores: alpha × vector + (1 − alpha) × bm25. A document missing from a leg
 * gets that leg's floor (0 after min-max; the leg's minimum after z-score), so it is not rewarded for absence.
 */
export function fuseConvex(
  vector: RankedList,
  bm25: RankedList,
  alpha: number,
  normalisation: 'minmax' | 'zscore',
): FusedEntry[] {
  const norm = normalisation === 'minmax' ? minMax : zScore;
  const v = norm(vector.scores);
  const b = norm(bm25.scores);
  const vFloor = v.length > 0 ? Math.min(...v) : 0;
  const bFloor = b.length > 0 ? Math.min(...b) : 0;
  const vOf = new Map(vector.ids.map((id, i) => [id, v[i] ?? vFloor]));
  const bOf = new Map(bm25.ids.map((id, i) => [id, b[i] ?? bFloor]));
  const scores = new Map<string, number>();
  for (const id of new Set([...vector.ids, ...bm25.ids])) {
    scores.set(id, alpha * (vOf.get(id) ?? vFloor) + (1 - alpha) * (bOf.get(id) ?? bFloor));
  }
  return sortDesc(scores);
}

/** Fuses a vector and a BM25 list with the chosen method. */
export function fuse(
  method: FusionMethod,
  vector: RankedList,
  bm25: RankedList,
  alpha: number,
): FusedEntry[] {
  switch (method) {
    case 'rrf':
      return fuseRrf([vector, bm25]);
    case 'convex_minmax':
      return fuseConvex(vector, bm25, alpha, 'minmax');
    case 'convex_zscore':
      return fuseConvex(vector, bm25, alpha, 'zscore');
  }
}

export function minMax(scores: number[]): number[] {
  if (scores.length === 0) return [];
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  return scores.map((s) => (hi === lo ? 1 : (s - lo) / (hi - lo)));
}

export function zScore(scores: number[]): number[] {
  if (scores.length === 0) return [];
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length);
  return scores.map((s) => (sd === 0 ? 0 : (s - mean) / sd));
}

function sortDesc(scores: Map<string, number>): FusedEntry[] {
  return [...scores.entries()]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}
