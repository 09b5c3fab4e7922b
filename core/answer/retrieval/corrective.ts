import type { RetrievalGrade } from '../../contract/answer.js';
import type { Embedder, SearchHit, SearchResult } from '../../contract/retrieval.js';
import type { TenantId } from '../../contract/tenant.js';
import type { SearchOptions } from '../../knowledge/retrieval/retriever.js';
import { cosine } from '../../knowledge/embedding/pooling.js';
import { gradeHit, overallGrade, type GradedHit } from './grade.js';
import { expandedQuery, keywordQuery } from './rewrite.js';
import { contentTerms } from './terms.js';

export interface Searcher {
  search(tenant: TenantId, query: string, options?: SearchOptions): Promise<SearchResult>;
  /** When present, hits found by a rewrite are judged by their closeness to the question actually asked. */
  readonly embedder?: Embedder | null;
}

export interface CorrectiveRetrieval {
  grade: RetrievalGrade;
  /** The original question first, then each rewrite that was searched. */
  queries: string[];
  /** Hits worth answering from (relevant first, then ambiguous), best first; irrelevant ones are dropped. */
  hits: GradedHit[];
  /** The first search's result (query type, mode, notice). */
  first: SearchResult;
  ms: number;
}

/**
 * Corrective retrieval (CRAG): search, grade each hit; when nothing is relevant, search again with a keyword
 * rewrite and a knowledge-base expansion of the question, and merge. The caller abstains when the grade is
 * still "irrelevant". Rewrites are cheap (full text and one embedding each), so the weak path costs one or two
 * more searches, never a model call.
 */
export async function retrieveCorrectively(
  kb: Searcher,
  tenant: TenantId,
  question: string,
  options: SearchOptions = {},
): Promise<CorrectiveRetrieval> {
  const started = performance.now();
  const terms = contentTerms(question);
  const first = await kb.search(tenant, question, { k: 6, ...options });
  const vectorLeg = first.mode !== 'bm25';
  let graded = first.hits.map((hit) => gradeHit(terms, hit, vectorLeg));
  const queries = [question];

  if (overallGrade(graded) !== 'relevant') {
    const rewrites = [keywordQuery(question), expandedQuery(question, first.hits)].filter(
      (q, i, all) => q.trim() !== '' && q !== question && all.indexOf(q) === i,
    );
    for (const rewrite of rewrites) {
      queries.push(rewrite);
      const again = await kb.search(tenant, rewrite, { k: 6, ...options });
      // A rewrite's vector scores measure closeness to the rewrite, which borrows the knowledge base's words;
      // the grade must measure closeness to what the customer asked.
      again.hits = await rescoreAgainstQuestion(kb.embedder ?? null, question, again.hits, options.signal);
      graded = mergeGraded(
        graded,
        again.hits.map((hit) => gradeHit(terms, hit)),
      );
      if (overallGrade(graded) === 'relevant') break;
    }
  }

  const order: Record<RetrievalGrade, number> = { relevant: 0, ambiguous: 1, irrelevant: 2 };
  const kept = graded
    .filter((g) => g.grade !== 'irrelevant')
    .sort((a, b) => order[a.grade] - order[b.grade] || b.hit.score - a.hit.score);
  return {
    grade: overallGrade(graded),
    queries,
    hits: kept,
    first,
    ms: performance.now() - started,
  };
}

async function rescoreAgainstQuestion(
  embedder: Embedder | null,
  question: string,
  hits: SearchHit[],
  signal?: AbortSignal,
): Promise<SearchHit[]> {
  if (!embedder || hits.length === 0) return hits;
  const [q] = await embedder.embed([question], 'query', signal);
  const chunks = await embedder.embed(
    hits.map((h) => `${h.title}: ${h.snippet}`),
    'document',
    signal,
  );
  return hits.map((hit, i) => {
    const { vector: _ignored, ...stages } = hit.stages;
    const chunk = chunks[i];
    if (!q || !chunk) return { ...hit, stages };
    return { ...hit, stages: { ...stages, vector: { rank: i + 1, score: cosine(q, chunk) } } };
  });
}

/** Union by chunk, keeping the better-graded copy of a chunk found by two queries. */
function mergeGraded(a: GradedHit[], b: GradedHit[]): GradedHit[] {
  const byChunk = new Map<string, GradedHit>();
  const rank = (g: GradedHit) => (g.grade === 'relevant' ? 2 : g.grade === 'ambiguous' ? 1 : 0);
  for (const g of [...a, ...b]) {
    const seen = byChunk.get(g.hit.chunkId);
    if (!seen || rank(g) > rank(seen) || (rank(g) === rank(seen) && g.hit.score > seen.hit.score)) {
      byChunk.set(g.hit.chunkId, g);
    }
  }
  return [...byChunk.values()];
}

export type { GradedHit, SearchHit };
