import { AppError } from '../../contract/errors.js';
import type {
  Embedder,
  FusionMethod,
  IndexCandidate,
  KnowledgeIndex,
  Reranker,
  RetrievalMode,
  SearchAudience,
  SearchHit,
  SearchResult,
  StoredChunk,
} from '../../contract/retrieval.js';
import type { TenantId } from '../../contract/tenant.js';
import { checkAudience } from './audience.js';
import { fuse, type RankedList } from './fusion.js';
import type { QueryEmbeddingCache } from './query-cache.js';
import { alphaByQueryType, classifyQuery } from './query-type.js';

export interface RetrieverDeps {
  tenant: TenantId;
  index: KnowledgeIndex;
  embedder: Embedder | null;
  cache: QueryEmbeddingCache;
  reranker?: Reranker | null;
}

export interface SearchOptions {
  mode?: RetrievalMode;
  /** Documents to return (one hit per document). */
  k?: number;
  fusion?: FusionMethod;
  /** Overrides the query-type alpha (vector weight) for convex fusion. */
  alpha?: number;
  /** Chunks fetched from each leg before fusion. */
  candidates?: number;
  /** How many fused documents the reranker re-scores (0 = no reranking). */
  rerankTop?: number;
  /**
   * Who the search is for; default admin (no filter: CLI, admin tools). Agents pass their principals
   * (`user:<id>`, `group:<name>`), the widget `{ kind: 'public' }`. The index filters both legs and the final
   * read, so fusion, reranking and the query-embedding cache (which holds query vectors, not results) only
   * ever see chunks the audience may read.
   */
  audience?: SearchAudience;
  signal?: AbortSignal;
}

/** The fusion the retrieval benchmark found best on the dev set (BENCHMARKS.md); see ARCHITECTURE.md. */
export const defaultFusion: FusionMethod = 'convex_zscore';
export const maxQueryChars = 4_000;

/**
 * Hybrid retrieval: BM25 and vector legs in parallel over child chunks, each collapsed to its best chunk per
 * document, fused, optionally reranked, and returned with the parent section (Small2Big) and every stage's
 * score.
 */
export async function searchKnowledge(deps: RetrieverDeps, query: string, options: SearchOptions = {}) {
  const started = performance.now();
  const text = query.trim();
  if (text.length === 0)
    throw new AppError('invalid_input', 'the query is empty; type what you are looking for');
  if (text.length > maxQueryChars) {
    throw new AppError(
      'too_large',
      `the query has ${text.length} characters; keep it under ${maxQueryChars}`,
    );
  }
  const audience = checkAudience(options.audience);
  const k = options.k ?? 10;
  const candidates = options.candidates ?? Math.max(50, k * 3);
  const { type: queryType } = classifyQuery(text);
  let mode = options.mode ?? 'hybrid';
  let notice: string | undefined;
  if (mode !== 'bm25' && deps.embedder === null) {
    if (mode === 'vector') {
      throw new AppError(
        'unavailable',
        'no embedding model is installed, so vector search is off; run "npm run setup:models" or import a model into AIRDESK_HOME/models/<name>/',
      );
    }
    mode = 'bm25';
    notice = 'full-text search only: no embedding model is installed (see README "Models")';
  }
  const fusion = mode === 'hybrid' ? (options.fusion ?? defaultFusion) : null;
  const alpha = fusion && fusion !== 'rrf' ? (options.alpha ?? alphaByQueryType[queryType]) : null;
  const timings = { embedMs: 0, bm25Ms: 0, vectorMs: 0, fuseMs: 0, rerankMs: 0, totalMs: 0 };

  const bm25Leg = async () => {
    if (mode === 'vector') return [];
    const t = performance.now();
    const found = await deps.index.searchText(text, candidates, audience);
    timings.bm25Ms = performance.now() - t;
    return found;
  };
  const vectorLeg = async () => {
    if (mode === 'bm25' || deps.embedder === null) return [];
    const t = performance.now();
    const vector = await embedQuery(deps, text, options.signal);
    timings.embedMs = performance.now() - t;
    const v = performance.now();
    const found = await deps.index.searchVector(vector, candidates, audience);
    timings.vectorMs = performance.now() - v;
    return found;
  };
  const [bm25, vector] = await Promise.all([bm25Leg(), vectorLeg()]);

  const fuseStart = performance.now();
  const bm25Docs = bestPerDocument(bm25);
  const vectorDocs = bestPerDocument(vector);
  let ranked: { docId: string; score: number }[];
  if (mode === 'bm25') ranked = bm25Docs.map((d) => ({ docId: d.docId, score: d.score }));
  else if (mode === 'vector') ranked = vectorDocs.map((d) => ({ docId: d.docId, score: d.score }));
  else {
    ranked = fuse(fusion!, asList(vectorDocs), asList(bm25Docs), alpha ?? 0.5).map((f) => ({
      docId: f.id,
      score: f.score,
    }));
  }

  // Only the documents that can still be shown are read in full: the legs carried ids and scores.
  const shown = ranked.slice(0, Math.max(k, options.rerankTop ?? 0));
  const picks = shown.map((r) => pickChunk(r.docId, r.score, bm25Docs, vectorDocs, alpha ?? 0.5));
  const chunks = await deps.index.fetchChunks(
    picks.map((p) => p.chunkId),
    audience,
  );
  let hits = picks.flatMap((p) => {
    const chunk = chunks.get(p.chunkId);
    return chunk ? [toHit(chunk, p)] : []; // a chunk replaced (or hidden) between the two reads is left out
  });
  timings.fuseMs = performance.now() - fuseStart;
  if (deps.reranker && (options.rerankTop ?? 0) > 0) {
    const t = performance.now();
    hits = await rerank(deps.reranker, text, hits, options.rerankTop ?? 0, options.signal);
    timings.rerankMs = performance.now() - t;
  }
  timings.totalMs = performance.now() - started;
  const result: SearchResult = { hits: hits.slice(0, k), mode, fusion, queryType, alpha, timings };
  if (notice) result.notice = notice;
  return result;
}

async function embedQuery(deps: RetrieverDeps, text: string, signal?: AbortSignal): Promise<Float32Array> {
  const embedder = deps.embedder!;
  const cached = deps.cache.get(deps.tenant, embedder.modelId, text);
  if (cached) return cached;
  const [vector] = await embedder.embed([text], 'query', signal);
  if (!vector) throw new Error('the embedder returned no vector for the query');
  deps.cache.set(deps.tenant, embedder.modelId, text, vector);
  return vector;
}

/** Keeps each document's best chunk, in rank order: documents, not chunks, are what a result list shows. */
function bestPerDocument(candidates: IndexCandidate[]): Ranked[] {
  const seen = new Set<string>();
  const out: Ranked[] = [];
  for (const c of candidates) {
    if (seen.has(c.docId)) continue;
    seen.add(c.docId);
    out.push({ ...c, rank: out.length + 1 });
  }
  return out;
}

function asList(docs: IndexCandidate[]): RankedList {
  return { ids: docs.map((d) => d.docId), scores: docs.map((d) => d.score) };
}

type Ranked = IndexCandidate & { rank: number };

interface Pick {
  docId: string;
  chunkId: string;
  score: number;
  bm25?: Ranked;
  vector?: Ranked;
}

/** The chunk a hit shows: from the leg fusion trusts more (the vector leg's when alpha leans on meaning). */
function pickChunk(docId: string, score: number, bm25: Ranked[], vector: Ranked[], alpha: number): Pick {
  const b = bm25.find((d) => d.docId === docId);
  const v = vector.find((d) => d.docId === docId);
  const chosen = (v && b ? (alpha >= 0.5 ? v : b) : (v ?? b))!;
  return { docId, chunkId: chosen.chunkId, score, ...(b ? { bm25: b } : {}), ...(v ? { vector: v } : {}) };
}

function toHit(chunk: StoredChunk, pick: Pick): SearchHit {
  const hit: SearchHit = {
    docId: pick.docId,
    externalId: chunk.externalId,
    title: chunk.title,
    source: chunk.source,
    chunkId: chunk.chunkId,
    parentId: chunk.parentId,
    snippet: chunk.snippet,
    parentText: chunk.parentText,
    headings: chunk.headings,
    score: pick.score,
    stages: { fused: pick.score },
  };
  if (pick.bm25) hit.stages.bm25 = { rank: pick.bm25.rank, score: pick.bm25.score };
  if (pick.vector) hit.stages.vector = { rank: pick.vector.rank, score: pick.vector.score };
  return hit;
}

async function rerank(
  reranker: Reranker,
  query: string,
  hits: SearchHit[],
  top: number,
  signal?: AbortSignal,
) {
  const head = hits.slice(0, top);
  const scores = await reranker.score(
    query,
    head.map((h) => h.parentText || h.snippet),
    signal,
  );
  head.forEach((h, i) => {
    h.stages.rerank = scores[i] ?? Number.NEGATIVE_INFINITY;
    h.score = h.stages.rerank;
  });
  head.sort((a, b) => (b.stages.rerank ?? 0) - (a.stages.rerank ?? 0));
  return [...head, ...hits.slice(top)];
}
