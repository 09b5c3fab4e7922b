import { z } from 'zod';

/**
 * The console's Knowledge page API (console listener): sources and documents, adding files by upload (or, in
 * the desktop app, by paths from the native file dialog), and the search playground that shows what each
 * retrieval leg ranks.
 */

export const knowledgeSourceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['upload', 'connector']),
  connectorId: z.string().nullable(),
  documents: z.number().int(),
  publicDocuments: z.number().int(),
  /** The newest document change in the source; null when it is empty. */
  lastUpdatedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type KnowledgeSourceView = z.infer<typeof knowledgeSourceViewSchema>;
export const knowledgeSourceListSchema = z.object({ sources: z.array(knowledgeSourceViewSchema) });

/** GET …/knowledge/documents?source=ID&q=text&limit=200 (q matches title or external id). */
export const documentListQuerySchema = z.object({
  source: z.string().max(200).optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const documentViewSchema = z.object({
  id: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  externalId: z.string(),
  title: z.string(),
  /** Grows by one each time the content changes. */
  version: z.number().int(),
  /** `indexed`: in the store and the index (the store records a document only after its index commit). */
  status: z.literal('indexed'),
  isPublic: z.boolean(),
  publicOverride: z.boolean().nullable(),
  updatedAt: z.string(),
});
export type DocumentView = z.infer<typeof documentViewSchema>;
export const documentListSchema = z.object({ documents: z.array(documentViewSchema) });

/** What one upload or path ingest did (counts of the ingest report; failures say why, per file). */
export const ingestResultSchema = z.object({
  source: z.string(),
  added: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  chunks: z.number().int(),
  failed: z.array(z.object({ file: z.string(), reason: z.string() })),
  ignored: z.array(z.object({ file: z.string(), reason: z.string() })),
  seconds: z.number(),
  notice: z.string().optional(),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

/** Name of the knowledge source that uploads and desktop picks go to. */
export const uploadSourceName = 'Uploads';

/** The largest single upload (bytes); larger files are added with `airdesk ingest` or a folder connector. */
export const maxUploadBytes = 50 * 1024 * 1024;

/**
 * POST …/knowledge/uploads: the request body is the file's raw bytes (`Content-Type:
 * application/octet-stream`), its name in the `X-Airdesk-Filename` header (URI-encoded). One file per request,
 * so the browser can report each file's upload progress.
 */
export const uploadFilenameHeader = 'x-airdesk-filename';

/** POST …/knowledge/ingest-paths: files or folders on this machine (the desktop app's file dialog). */
export const ingestPathsRequestSchema = z
  .object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(100) })
  .strict();

/** GET …/knowledge/playground?q=...&k=10: the same query through each retrieval mode. */
export const playgroundQuerySchema = z.object({
  q: z.string().trim().min(1, 'type a question to search for').max(4_000),
  k: z.coerce.number().int().min(1).max(50).default(10),
});

export const playgroundHitSchema = z.object({
  rank: z.number().int(),
  docId: z.string(),
  title: z.string(),
  chunkId: z.string(),
  headings: z.array(z.string()),
  snippet: z.string(),
  score: z.number(),
  stages: z.object({
    bm25: z.object({ rank: z.number(), score: z.number() }).optional(),
    vector: z.object({ rank: z.number(), score: z.number() }).optional(),
    fused: z.number().optional(),
    rerank: z.number().optional(),
  }),
});

export const playgroundModeResultSchema = z.object({
  mode: z.enum(['bm25', 'vector', 'hybrid']),
  hits: z.array(playgroundHitSchema),
  totalMs: z.number(),
  /** Set when the mode ran differently than asked, e.g. no embedding model is installed. */
  notice: z.string().nullable(),
});

export const playgroundResultSchema = z.object({
  query: z.string(),
  bm25: playgroundModeResultSchema,
  vector: playgroundModeResultSchema,
  hybrid: playgroundModeResultSchema,
});
export type PlaygroundResult = z.infer<typeof playgroundResultSchema>;

/**
 * GET …/knowledge/passages/:chunk: the passage a citation points at (the console's "open the source"), with
 * the parent section the answer engine read. Admin view: no audience filter.
 */
export const passageSchema = z.object({
  chunkId: z.string(),
  docId: z.string(),
  title: z.string(),
  externalId: z.string(),
  /** File path or URL of the document, when the source gave one. */
  source: z.string(),
  headings: z.array(z.string()),
  /** The matched (child) chunk. */
  text: z.string(),
  /** The parent section around it. */
  parentText: z.string(),
});
export type Passage = z.infer<typeof passageSchema>;

export const knowledgeRoutes = {
  sources: '/api/tenants/:tenant/knowledge/sources',
  documents: '/api/tenants/:tenant/knowledge/documents',
  uploads: '/api/tenants/:tenant/knowledge/uploads',
  ingestPaths: '/api/tenants/:tenant/knowledge/ingest-paths',
  playground: '/api/tenants/:tenant/knowledge/playground',
  passage: '/api/tenants/:tenant/knowledge/passages/:chunk',
} as const;
