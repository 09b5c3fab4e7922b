import type { DocumentPermissions } from './connector.js';

/**
 * The knowledge engine's provider interfaces. The embedded implementations are ONNX / llama.cpp embedders and
 * a LanceDB index in the tenant's folder; the scale-out ones (LanceDB on S3-compatible storage, an inference
 * server) implement the same shapes.
 */

/** Turns text into unit-length vectors. Queries and documents may be embedded differently (e5/bge prefixes). */
export interface Embedder {
  /** Model id as recorded next to every stored vector, so a model change is detected, never mixed. */
  readonly modelId: string;
  readonly dims: number;
  readonly maxTokens: number;
  embed(texts: string[], kind: 'query' | 'document', signal?: AbortSignal): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** Scores (query, passage) pairs with a cross-encoder; higher is more relevant. */
export interface Reranker {
  readonly modelId: string;
  score(query: string, passages: string[], signal?: AbortSignal): Promise<number[]>;
  close(): Promise<void>;
}

/** What an ONNX model folder's manifest.json says (SPEC.md "Models"). */
export interface ModelManifest {
  kind: 'embedder' | 'reranker';
  dims: number;
  pooling: 'mean' | 'cls';
  maxTokens: number;
  license: string;
  /** sha256 of model.onnx, hex. */
  sha256: string;
  /** Optional prefixes some families need (e5: "query: ", bge: an instruction for queries). */
  queryPrefix?: string;
  documentPrefix?: string;
  /** Where the weights came from, for the licence page. */
  source?: string;
}

/** A document as a parser hands it to the chunker. */
export interface ParsedDocument {
  externalId: string;
  title: string;
  /** File path or URL the document came from. */
  source: string;
  sections: DocumentSection[];
  metadata?: Record<string, unknown>;
  /** Who may see it, as the source says; absent = every agent of the tenant, not the widget. */
  permissions?: DocumentPermissions;
}

/** A run of text under one heading path, e.g. ["Refunds", "Store credit"]. */
export interface DocumentSection {
  headings: string[];
  text: string;
}

/** The big chunk the answer engine reads (Small2Big): a section, or a slice of a long one. */
export interface ParentChunk {
  id: string;
  ordinal: number;
  headings: string[];
  text: string;
}

/** The small chunk that is indexed and matched; it points at its parent. */
export interface ChildChunk {
  id: string;
  parentId: string;
  ordinal: number;
  headings: string[];
  text: string;
  tokenCount: number;
}

export type RetrievalMode = 'bm25' | 'vector' | 'hybrid';
export type FusionMethod = 'rrf' | 'convex_minmax' | 'convex_zscore';
export type QueryType = 'conceptual' | 'technical' | 'conversational' | 'exact_match';

/** One search hit, with every stage's score so the search playground can show why it ranked where it did. */
export interface SearchHit {
  docId: string;
  externalId: string;
  title: string;
  source: string;
  chunkId: string;
  parentId: string;
  /** The matched child chunk. */
  snippet: string;
  /** The parent section the answer engine reads. */
  parentText: string;
  headings: string[];
  score: number;
  stages: {
    bm25?: { rank: number; score: number };
    vector?: { rank: number; score: number };
    fused?: number;
    rerank?: number;
  };
}

export interface SearchResult {
  hits: SearchHit[];
  mode: RetrievalMode;
  fusion: FusionMethod | null;
  queryType: QueryType;
  /** Weight of the vector leg in convex fusion, chosen from the query type. */
  alpha: number | null;
  timings: {
    embedMs: number;
    bm25Ms: number;
    vectorMs: number;
    fuseMs: number;
    rerankMs: number;
    totalMs: number;
  };
  /** Set when the search ran differently than asked, e.g. full text only because no embedder is installed. */
  notice?: string;
}

/** A child chunk as the index stores it, with everything a hit needs so a search is one round trip. */
export interface IndexedChunk {
  chunkId: string;
  docId: string;
  externalId: string;
  sourceId: string;
  title: string;
  source: string;
  parentId: string;
  headings: string[];
  /** Text matched by full-text search: title and heading path prefixed to the child text. */
  indexText: string;
  snippet: string;
  parentText: string;
  /**
   * The widget's anonymous visitors may see it: the admin's choice when one was made, else the source's
   * `public` flag (see KnowledgeStore.setPublic).
   */
  isPublic: boolean;
  /** `user:<id>` / `group:<name>` allowed by the source; empty = every agent of the tenant. */
  principals: string[];
  vector?: Float32Array;
}

/**
 * Who a search runs for. `admin` (the default: CLI, admin tools) sees everything; an `agent` sees public
 * chunks, chunks with no principals, and chunks sharing a principal with it; `public` (the widget) sees only
 * public chunks. Enforced inside the index (a prefilter on both legs), never after fusion.
 */
export type SearchAudience = { kind: 'agent'; principals: string[] } | { kind: 'public' } | { kind: 'admin' };

/** A document's access as written to its chunks; see {@link IndexedChunk}. */
export interface ChunkAccess {
  docId: string;
  isPublic: boolean;
  principals: string[];
}

/** A chunk as a search returns it: everything but the index text and the vector. */
export type StoredChunk = Omit<IndexedChunk, 'vector' | 'indexText'>;

/** One leg's candidate: which chunk, and its score in that leg (BM25 score, or cosine similarity). */
export interface IndexCandidate {
  chunkId: string;
  docId: string;
  score: number;
}

/**
 * A tenant's chunk index: full text and vectors over child chunks. The embedded implementation is LanceDB in
 * the tenant's folder; the scale-out one is LanceDB on S3-compatible storage. Writes are per batch of
 * documents and atomic: a document's chunks are all old or all new, whatever moment the process dies.
 */
export interface KnowledgeIndex {
  /** Replaces the chunks of every document in `docIds` with `chunks` (which may be empty for some of them). */
  replaceDocuments(docIds: string[], chunks: IndexedChunk[]): Promise<void>;
  deleteDocuments(docIds: string[]): Promise<void>;
  /**
   * Rewrites the access columns of every chunk of the given documents (a permission change at the source, or
   * an admin marking a document public) without re-chunking or re-embedding. One commit per distinct access.
   */
  updateAccess(updates: ChunkAccess[]): Promise<void>;
  /** Candidates the audience may see (default: admin, no filter); the filter runs before the limit. */
  searchText(query: string, limit: number, audience?: SearchAudience): Promise<IndexCandidate[]>;
  searchVector(vector: Float32Array, limit: number, audience?: SearchAudience): Promise<IndexCandidate[]>;
  /**
   * The full chunks for ids a search returned; legs return ids only so a search reads text just for its hits.
   * With an audience, chunks it may not see are left out (so a permission change between the two reads, or a
   * caller passing foreign ids, cannot leak text).
   */
  fetchChunks(chunkIds: string[], audience?: SearchAudience): Promise<Map<string, StoredChunk>>;
  /** Brings the full-text and ANN indices up to date after writes. */
  maintain(): Promise<IndexMaintenance>;
  countChunks(): Promise<number>;
  /** The embedding model the stored vectors came from; null when the index holds no vectors. */
  embeddingModel(): Promise<string | null>;
  close(): Promise<void>;
}

export interface IndexMaintenance {
  chunks: number;
  fullText: 'created' | 'updated' | 'none';
  ann: 'created' | 'updated' | 'none' | 'not_needed';
  ms: number;
}
