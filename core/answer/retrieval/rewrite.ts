import type { SearchHit } from '../../contract/retrieval.js';
import { isStopWord, stem, words } from './terms.js';

/**
 * Query rewrites for a weak retrieval (CRAG). Two rewrites, both built from the knowledge base's own words
 * rather than a thesaurus, so they cannot drift outside what the tenant's documents say:
 * - keywords: the question without chatter ("hi, I was wondering whether you could tell me ...");
 * - expansion: the keywords with spelling fixed to words the retrieved sections use (edit distance ≤ 2) and
 *   the terms those sections share most (pseudo-relevance feedback over their titles, headings and text).
 */
export function keywordQuery(question: string): string {
  return words(question)
    .filter((w) => w.length > 1 && !isStopWord(w))
    .join(' ');
}

export function expandedQuery(question: string, hits: SearchHit[], maxNewTerms = 5): string {
  const keywords = words(question).filter((w) => w.length > 1 && !isStopWord(w));
  const vocabulary = new Map<string, number>();
  const top = hits.slice(0, 5);
  top.forEach((hit, rank) => {
    const weight = 1 / (rank + 1);
    const titleWords = words(`${hit.title} ${hit.headings.join(' ')}`);
    for (const w of words(hit.parentText)) bump(vocabulary, w, weight);
    // Titles and headings name the topic: they count more than body text.
    for (const w of titleWords) bump(vocabulary, w, weight * 3);
  });

  const fixed = keywords.map((w) => (vocabulary.has(w) ? w : (closestWord(w, vocabulary) ?? w)));
  const have = new Set(fixed.map(stem));
  const extra = [...vocabulary.entries()]
    .filter(([w]) => w.length > 2 && !isStopWord(w) && !/^\d+$/.test(w) && !have.has(stem(w)))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, maxNewTerms)
    .map(([w]) => w);
  return [...fixed, ...extra].join(' ');
}

function bump(map: Map<string, number>, word: string, by: number) {
  if (word.length < 2 || isStopWord(word)) return;
  map.set(word, (map.get(word) ?? 0) + by);
}

function closestWord(word: string, vocabulary: Map<string, number>): string | null {
  if (word.length < 4 || /\d/.test(word)) return null;
  const maxDistance = word.length > 6 ? 2 : 1;
  let best: { word: string; distance: number; weight: number } | null = null;
  for (const [candidate, weight] of vocabulary) {
    if (Math.abs(candidate.length - word.length) > maxDistance) continue;
    const distance = editDistance(word, candidate, maxDistance);
    if (distance > maxDistance) continue;
    if (!best || distance < best.distance || (distance === best.distance && weight > best.weight)) {
      best = { word: candidate, distance, weight };
    }
  }
  return best?.word ?? null;
}

/** Levenshtein distance with transpositions counted as one edit, giving up above `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i += 1) {
    let rowMin = Infinity;
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
  }
  return d[a.length]![b.length]!;
}
