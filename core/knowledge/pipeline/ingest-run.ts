import path from 'node:path';
import type { ChunkAccess, IndexedChunk, KnowledgeIndex, ParsedDocument } from '../../contract/retrieval.js';
import type { TenantId } from '../../contract/tenant.js';
import type { DocumentRecord } from '../../contract/knowledge.js';
import { documentIdFor, normalizePermissions, samePermissions } from '../../store/sqlite/knowledge.js';
import { chunkDocument, contentHash, readDocuments } from '../ingest/index.js';
import type { ParseFailure, SkippedFile } from '../ingest/index.js';
import type { KnowledgeBase } from '../knowledge-base.js';
import { emptyReport, type IngestReport } from './ingest-report.js';

export interface IngestRequest {
  tenant: TenantId;
  paths: string[];
  /** Knowledge source name; default derived from the paths, so re-ingesting the same folder updates it. */
  source?: string;
  signal?: AbortSignal;
  /** Called per document read (done) with the running total of documents seen. */
  onProgress?: (event: { documents: number; chunks: number }) => void;
  /** Rebuild the tenant's whole index first (a new embedding model); other sources must be ingested again. */
  reindex?: boolean;
  /** Documents per index commit; larger batches embed faster, smaller ones lose less on a crash. */
  batchDocuments?: number;
}

interface PendingDocument {
  id: string;
  doc: ParsedDocument;
  hash: string;
  /** `content`: chunked and embedded anew; `access`: same text, only the permissions changed. */
  change: 'content' | 'access';
  chunks: IndexedChunk[];
  /** Chunk count recorded in the store (for an access change, the unchanged count of the indexed chunks). */
  chunkCount: number;
  /** Settled at write time: the admin's choice if any, else the source's flag. */
  isPublic: boolean;
  outcome: 'added' | 'updated';
}

/** Ingests files and folders (`airdesk ingest`): every document of the source that is not seen is removed. */
export function runIngest(kb: KnowledgeBase, request: IngestRequest): Promise<IngestReport> {
  const { paths, source, signal, ...rest } = request;
  return ingestDocuments(kb, {
    ...rest,
    ...(signal ? { signal } : {}),
    sourceName: source ?? defaultSourceName(paths),
    items: readDocuments(paths, signal ? { signal } : {}),
    prune: true,
  });
}

export interface DocumentIngest extends Omit<IngestRequest, 'paths' | 'source'> {
  sourceName: string;
  /** Parsed documents, per-item failures and skipped files, from files or (later) a connector's load(). */
  items: AsyncIterable<ParsedDocument | ParseFailure | SkippedFile>;
  /** The items are the whole source: documents not among them are deleted. A connector's delta sync is not. */
  prune: boolean;
  /** A connector's documents live in a source tied to it; files ingested by hand in an `upload` source. */
  connectorId?: string;
  /**
   * Bring the full-text and ANN indices up to date at the end (default true). A sync ingesting page after page
   * turns it off and maintains every few pages: optimizing after each small page grew with the table.
   */
  maintain?: boolean;
}

/**
 * Ingests documents into a tenant's knowledge: hash, skip the unchanged, chunk, embed, then per batch write
 * the index (one atomic commit) and only then the store's content hashes. A run killed at any point leaves
 * every document either old or new in the index, and the next run redoes whatever the store does not yet
 * record: the same deterministic ids make that idempotent. The same path serves files and connectors.
 */
export async function ingestDocuments(kb: KnowledgeBase, request: DocumentIngest): Promise<IngestReport> {
  const started = performance.now();
  const { tenant, signal, sourceName } = request;
  const report = emptyReport(tenant, sourceName);
  const store = kb.store;
  const forgotten = request.reindex ? await kb.resetIndex(tenant) : 0;
  const index = await kb.indexFor(tenant);
  const source =
    (await store.knowledge.listSources(tenant)).find((s) => s.name === sourceName) ??
    (await store.knowledge.createSource(
      tenant,
      request.connectorId
        ? { name: sourceName, kind: 'connector', connectorId: request.connectorId }
        : { name: sourceName, kind: 'upload' },
    ));
  const known = new Map<string, DocumentRecord>(
    (
      await store.knowledge.listDocuments(tenant, { sourceId: source.id, limit: Number.MAX_SAFE_INTEGER })
    ).map((d) => [d.externalId, d]),
  );
  const seen = new Set<string>();
  const embedder = kb.embedder;
  if (!embedder) report.notice = 'no embedding model installed: indexed for full-text search only';
  const batchSize = request.batchDocuments ?? 64;
  let batch: PendingDocument[] = [];
  let writing: Promise<void> = Promise.resolve();
  let documents = 0;

  // Embedding runs in the embedder's worker while this thread reads the next batch; writes stay in order.
  const flush = () => {
    const current = batch;
    batch = [];
    if (current.length === 0) return;
    const texts = current.flatMap((p) => p.chunks.map((c) => c.indexText)); // access changes have none
    const vectorsReady = embedder && texts.length > 0 ? embedder.embed(texts, 'document', signal) : null;
    vectorsReady?.catch(() => {}); // awaited below, after the previous write; avoid an unhandled rejection meanwhile
    const previous = writing;
    writing = (async () => {
      await previous;
      if (vectorsReady) attachVectors(current, await vectorsReady);
      // Serialised with KnowledgeBase.setPublic: the admin's public choice is read just before the write.
      await kb.exclusive(tenant, async () => {
        for (const p of current) {
          const override = (await store.knowledge.getDocument(tenant, p.id))?.publicOverride ?? null;
          applyAccess(p, override);
        }
        await writeBatch(index, current);
        for (const p of current) {
          await store.knowledge.upsertDocument(tenant, {
            sourceId: source.id,
            externalId: p.doc.externalId,
            title: p.doc.title,
            contentHash: p.hash,
            permissions: normalizePermissions(p.doc.permissions),
            metadata: { source: p.doc.source, chunks: p.chunkCount, ...(p.doc.metadata ?? {}) },
          });
          report[p.outcome] += 1;
          report.chunks += p.chunks.length;
        }
      });
    })();
  };

  try {
    for await (const item of request.items) {
      signal?.throwIfAborted();
      if ('skipped' in item) {
        report.ignored.push({ file: item.source, reason: item.reason });
        continue;
      }
      if ('failure' in item) {
        if (item.externalId !== undefined) seen.add(item.externalId); // a failed read keeps its last good version
        report.failed.push({
          file: item.source,
          ...(item.externalId ? { externalId: item.externalId } : {}),
          reason: item.reason,
        });
        continue;
      }
      documents += 1;
      seen.add(item.externalId);
      const hash = contentHash(item, embedder?.modelId ?? 'bm25');
      const before = known.get(item.externalId);
      // Permissions are compared apart from the text: a permission change rewrites the access columns of the
      // document's chunks without re-chunking or re-embedding it.
      const sameText = before !== undefined && before.contentHash === hash;
      if (sameText && samePermissions(before.permissions, item.permissions)) {
        report.skipped += 1;
      } else {
        const id = documentIdFor(source.id, item.externalId);
        const chunks = sameText ? [] : toIndexedChunks(id, source.id, item);
        batch.push({
          id,
          doc: item,
          hash,
          change: sameText ? 'access' : 'content',
          chunks,
          chunkCount: sameText ? Number(before.metadata.chunks ?? 0) : chunks.length,
          isPublic: false,
          outcome: before ? 'updated' : 'added',
        });
        if (batch.length >= batchSize) {
          const before = writing;
          flush();
          // Backpressure: read ahead by at most one batch, so memory stays bounded whatever the input size.
          await before;
        }
      }
      request.onProgress?.({ documents, chunks: report.chunks });
    }
    flush();
  } finally {
    // Never return (or throw) while a batch is still being written: the caller may start another run.
    await writing.catch(() => {});
  }
  await writing;

  const gone = request.prune ? [...known.values()].filter((d) => !seen.has(d.externalId)) : [];
  if (gone.length > 0) {
    await index.deleteDocuments(gone.map((d) => d.id));
    for (const d of gone) await store.knowledge.deleteDocument(tenant, d.id);
    report.deleted = gone.length;
  }
  if (request.maintain !== false) report.index = await index.maintain();
  const elsewhere = forgotten - known.size;
  if (request.reindex && elsewhere > 0) {
    report.notice = `index rebuilt: ${elsewhere} documents of this tenant's other sources are not searchable until those sources are ingested again`;
  }
  report.seconds = (performance.now() - started) / 1000;
  const changed = report.added + report.updated;
  report.documentsPerSecond = report.seconds > 0 ? changed / report.seconds : 0;
  report.chunksPerSecond = report.seconds > 0 ? report.chunks / report.seconds : 0;
  return report;
}

/** Chunks carry the source's access; {@link applyAccess} settles `isPublic` against the admin's choice. */
function toIndexedChunks(docId: string, sourceId: string, doc: ParsedDocument): IndexedChunk[] {
  const { parents, children } = chunkDocument(doc, docId);
  const parentText = new Map(parents.map((p) => [p.id, p.text]));
  const access = normalizePermissions(doc.permissions);
  return children.map((c) => ({
    chunkId: c.id,
    docId,
    externalId: doc.externalId,
    sourceId,
    title: doc.title,
    source: doc.source,
    parentId: c.parentId,
    headings: c.headings,
    indexText: c.indexText,
    snippet: c.text,
    parentText: parentText.get(c.parentId) ?? c.text,
    isPublic: access?.public ?? false,
    principals: access?.principals ?? [],
  }));
}

/** The admin's public choice, when there is one, wins over the source's flag. */
function applyAccess(p: PendingDocument, publicOverride: boolean | null): void {
  p.isPublic = publicOverride ?? normalizePermissions(p.doc.permissions)?.public ?? false;
  for (const c of p.chunks) c.isPublic = p.isPublic;
}

function accessOf(p: PendingDocument): ChunkAccess {
  const access = normalizePermissions(p.doc.permissions);
  return { docId: p.id, isPublic: p.isPublic, principals: access?.principals ?? [] };
}

function attachVectors(batch: PendingDocument[], vectors: Float32Array[]): void {
  let i = 0;
  for (const p of batch) for (const c of p.chunks) c.vector = vectors[i++];
}

/** Content changes in one commit, then access-only changes (one commit per distinct access). */
async function writeBatch(index: KnowledgeIndex, batch: PendingDocument[]): Promise<void> {
  const content = batch.filter((p) => p.change === 'content');
  await index.replaceDocuments(
    content.map((p) => p.id),
    content.flatMap((p) => p.chunks),
  );
  await index.updateAccess(batch.filter((p) => p.change === 'access').map(accessOf));
}

/** "files:<absolute path>" for one path; several paths share the name of their sorted list. */
export function defaultSourceName(paths: string[]): string {
  return (
    'files:' +
    paths
      .map((p) => path.resolve(p))
      .sort()
      .join(',')
  );
}
