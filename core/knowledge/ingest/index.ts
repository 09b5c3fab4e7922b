/**
 * Ingestion's reading half: files and folders to parsed documents (or per-item failures), documents to
 * parent/child chunks, and the content hash that decides whether a document changed. Writing to the store and
 * the index is the caller's; nothing here touches either.
 */
export { chunkDocument, headingPrefix, defaultChildMaxTokens, defaultParentMaxTokens } from './chunk.js';
export type { ChunkOptions, DocumentChunks, IndexedChildChunk } from './chunk.js';
export { contentHash } from './hash.js';
export { parseFile, supportedExtensions } from './parse-file.js';
export { readDocuments } from './read-documents.js';
export type { ReadOptions } from './read-documents.js';
export { estimateTokens } from './tokens.js';
export type { TokenCounter } from './tokens.js';
export { isParseFailure, isSkippedFile } from './types.js';
export type { ParseFailure, ParseOptions, ParseResult, SkippedFile } from './types.js';
export { walkPaths } from './walk.js';
export type { WalkEntry, WalkedFile } from './walk.js';
