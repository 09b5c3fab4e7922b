import { Field, FixedSizeList, Float32, Schema, Utf8, type DataType } from 'apache-arrow';
import type { IndexedChunk, StoredChunk } from '../../contract/retrieval.js';

export const chunksTable = 'chunks';

/** Heading paths are stored as one string; this separator never occurs in text we index. */
const headingSeparator = '\u001f';

const text = (name: string) => new Field(name, new Utf8(), false);

/** Arrow schema of the chunks table; the vector column exists only when an embedder produced vectors. */
export function chunkSchema(dims: number | null): Schema {
  const fields: Field<DataType>[] = [
    text('chunk_id'),
    text('doc_id'),
    text('external_id'),
    text('source_id'),
    text('title'),
    text('source'),
    text('parent_id'),
    text('headings'),
    text('index_text'),
    text('snippet'),
    text('parent_text'),
  ];
  if (dims !== null) {
    fields.push(new Field('vector', new FixedSizeList(dims, new Field('item', new Float32(), true)), false));
  }
  return new Schema(fields);
}

export interface ChunkRow extends Record<string, unknown> {
  chunk_id: string;
  doc_id: string;
  external_id: string;
  source_id: string;
  title: string;
  source: string;
  parent_id: string;
  headings: string;
  index_text: string;
  snippet: string;
  parent_text: string;
  vector?: number[];
}

export function toRow(chunk: IndexedChunk, withVector: boolean): ChunkRow {
  const row: ChunkRow = {
    chunk_id: chunk.chunkId,
    doc_id: chunk.docId,
    external_id: chunk.externalId,
    source_id: chunk.sourceId,
    title: chunk.title,
    source: chunk.source,
    parent_id: chunk.parentId,
    headings: chunk.headings.join(headingSeparator),
    index_text: chunk.indexText,
    snippet: chunk.snippet,
    parent_text: chunk.parentText,
  };
  if (withVector) {
    if (!chunk.vector) throw new Error(`chunk ${chunk.chunkId} has no vector but the index stores vectors`);
    row.vector = Array.from(chunk.vector);
  }
  return row;
}

/** Columns a search leg reads: just enough to fuse and group by document. */
export const candidateColumns = ['chunk_id', 'doc_id'];

/** Columns of a hit: everything but the index text and the vector. */
export const resultColumns = [
  'chunk_id',
  'doc_id',
  'external_id',
  'source_id',
  'title',
  'source',
  'parent_id',
  'headings',
  'snippet',
  'parent_text',
];

export function fromRow(row: Record<string, unknown>): StoredChunk {
  const s = (k: string) => {
    const value = row[k];
    return typeof value === 'string' ? value : '';
  };
  const headings = s('headings');
  return {
    chunkId: s('chunk_id'),
    docId: s('doc_id'),
    externalId: s('external_id'),
    sourceId: s('source_id'),
    title: s('title'),
    source: s('source'),
    parentId: s('parent_id'),
    headings: headings === '' ? [] : headings.split(headingSeparator),
    snippet: s('snippet'),
    parentText: s('parent_text'),
  };
}

/** SQL string literal for LanceDB filters. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
