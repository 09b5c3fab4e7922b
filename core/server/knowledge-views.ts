import { AppError } from '../contract/errors.js';
import type { DocumentRecord } from '../contract/knowledge.js';
import type {
  DocumentView,
  IngestResult,
  KnowledgeSourceView,
  Passage,
  PlaygroundResult,
} from '../contract/knowledge-api.js';
import type { RetrievalMode, SearchHit } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { IngestReport } from '../knowledge/pipeline/ingest-report.js';

type ModeResult = PlaygroundResult['bm25'];
type PlaygroundHit = ModeResult['hits'][number];

/** Refuses a tenant that does not exist before anything touches its folder. */
export async function requireTenant(store: Store, tenant: TenantId): Promise<void> {
  if (!(await store.tenants.get(tenant))) {
    throw new AppError('not_found', `tenant "${tenant}" does not exist; create it first`);
  }
}

// The store has no count query: one read of the tenant's document rows serves every source's counts.
function allDocuments(store: Store, tenant: TenantId): Promise<DocumentRecord[]> {
  return store.knowledge.listDocuments(tenant, { limit: Number.MAX_SAFE_INTEGER });
}

/** Every knowledge source of the tenant with its document and public counts and its newest change. */
export async function sourceViews(store: Store, tenant: TenantId): Promise<KnowledgeSourceView[]> {
  const [sources, documents] = await Promise.all([
    store.knowledge.listSources(tenant),
    allDocuments(store, tenant),
  ]);
  const tally = new Map<string, { documents: number; publicDocuments: number; last: string | null }>();
  for (const d of documents) {
    const t = tally.get(d.sourceId) ?? { documents: 0, publicDocuments: 0, last: null };
    t.documents += 1;
    if (d.isPublic) t.publicDocuments += 1;
    if (t.last === null || d.updatedAt > t.last) t.last = d.updatedAt;
    tally.set(d.sourceId, t);
  }
  return sources.map((s) => {
    const t = tally.get(s.id);
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      connectorId: s.connectorId,
      documents: t?.documents ?? 0,
      publicDocuments: t?.publicDocuments ?? 0,
      lastUpdatedAt: t?.last ?? null,
      createdAt: s.createdAt,
    };
  });
}

/**
 * The tenant's documents, of one source when `source` is given (a source of another tenant is unknown here),
 * whose title or external id contains `q` (case-insensitive), in the store's order (by external id).
 */
export async function documentViews(
  store: Store,
  tenant: TenantId,
  filter: { source?: string | undefined; q?: string | undefined; limit: number },
): Promise<DocumentView[]> {
  const sources = await store.knowledge.listSources(tenant);
  if (filter.source !== undefined && !sources.some((s) => s.id === filter.source)) {
    throw new AppError(
      'not_found',
      `knowledge source "${filter.source}" does not exist in tenant "${tenant}"; pick one from the sources list`,
    );
  }
  const names = new Map(sources.map((s) => [s.id, s.name]));
  const all = await store.knowledge.listDocuments(tenant, {
    ...(filter.source !== undefined ? { sourceId: filter.source } : {}),
    limit: Number.MAX_SAFE_INTEGER,
  });
  const needle = filter.q?.toLowerCase() ?? '';
  const matching = needle
    ? all.filter((d) => d.title.toLowerCase().includes(needle) || d.externalId.toLowerCase().includes(needle))
    : all;
  return matching.slice(0, filter.limit).map((d) => documentView(d, names));
}

function documentView(d: DocumentRecord, sourceNames: Map<string, string>): DocumentView {
  return {
    id: d.id,
    sourceId: d.sourceId,
    sourceName: sourceNames.get(d.sourceId) ?? d.sourceId,
    externalId: d.externalId,
    title: d.title,
    version: d.version,
    status: 'indexed',
    isPublic: d.isPublic,
    publicOverride: d.publicOverride,
    updatedAt: d.updatedAt,
  };
}

/**
 * The same query through each retrieval mode, one after the other so each mode's timing is its own (the
 * query embedding is cached, so hybrid does not pay for it twice). The single legs skip the reranker so they
 * show what that leg alone ranks; hybrid runs as the answer engine's retrieval does. Admin view: no filter.
 */
export async function runPlayground(
  knowledge: KnowledgeBase,
  tenant: TenantId,
  query: string,
  k: number,
): Promise<PlaygroundResult> {
  const bm25 = await runMode(knowledge, tenant, query, k, 'bm25');
  const vector = await runMode(knowledge, tenant, query, k, 'vector');
  const hybrid = await runMode(knowledge, tenant, query, k, 'hybrid');
  return { query, bm25, vector, hybrid };
}

async function runMode(
  knowledge: KnowledgeBase,
  tenant: TenantId,
  query: string,
  k: number,
  mode: RetrievalMode,
): Promise<ModeResult> {
  const started = performance.now();
  try {
    const result = await knowledge.search(tenant, query, {
      mode,
      k,
      audience: { kind: 'admin' },
      ...(mode === 'hybrid' ? {} : { rerankTop: 0 }),
    });
    return {
      mode,
      hits: result.hits.map((hit, i) => playgroundHit(hit, i + 1)),
      totalMs: result.timings.totalMs,
      notice: result.notice ?? null,
    };
  } catch (error) {
    // Vector search without an embedding model: the column says so instead of failing the other two.
    if (error instanceof AppError && error.code === 'unavailable') {
      return { mode, hits: [], totalMs: performance.now() - started, notice: error.message };
    }
    throw error;
  }
}

function playgroundHit(hit: SearchHit, rank: number): PlaygroundHit {
  return {
    rank,
    docId: hit.docId,
    title: hit.title,
    chunkId: hit.chunkId,
    headings: hit.headings,
    snippet: hit.snippet,
    score: hit.score,
    stages: { ...hit.stages },
  };
}

/** The chunk a citation points at, with its parent section; `not_found` when this tenant has no such chunk. */
export async function readPassage(
  knowledge: KnowledgeBase,
  tenant: TenantId,
  chunkId: string,
): Promise<Passage> {
  const index = await knowledge.indexFor(tenant);
  const chunk = (await index.fetchChunks([chunkId])).get(chunkId);
  if (!chunk) {
    throw new AppError(
      'not_found',
      `passage "${chunkId}" is not in tenant "${tenant}"'s knowledge; its document may have changed or been removed since it was cited`,
    );
  }
  return {
    chunkId: chunk.chunkId,
    docId: chunk.docId,
    title: chunk.title,
    externalId: chunk.externalId,
    source: chunk.source,
    headings: chunk.headings,
    text: chunk.snippet,
    parentText: chunk.parentText,
  };
}

/**
 * An ingest report as the console shows it. Failures name the file as the person gave it (`names` maps the
 * server-side paths of saved uploads back to the uploaded names).
 */
export function ingestResult(report: IngestReport, names: Map<string, string> = new Map()): IngestResult {
  const named = (file: string) => names.get(file) ?? file;
  return {
    source: report.source,
    added: report.added,
    updated: report.updated,
    skipped: report.skipped,
    chunks: report.chunks,
    failed: report.failed.map((f) => ({ file: named(f.file), reason: f.reason })),
    ignored: report.ignored.map((i) => ({ file: named(i.file), reason: i.reason })),
    seconds: report.seconds,
    ...(report.notice ? { notice: report.notice } : {}),
  };
}
