import { Bool, Field, FixedSizeList, Float32, List, Schema, Utf8, type DataType } from 'apache-arrow';
import type { IndexedChunk, SearchAudience, StoredChunk } from '../../contract/retrieval.js';
import { checkAudience, normalizePrincipals } from '../retrieval/audience.js';

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
    ...accessFields(),
  ];
  if (dims !== null) {
    fields.push(new Field('vector', new FixedSizeList(dims, new Field('item', new Float32(), true)), false));
  }
  return new Schema(fields);
}

const listOfStrings = () => new List(new Field('item', new Utf8(), true));

/**
 * The access columns (schema version 2): `is_public`, `principals` (as the source gave them), and `access`,
 * the tokens the agent filter matches in one indexed `array_has_any`: `*public` for public chunks, `*agents`
 * for chunks without principals, `p:<principal>` for each principal (the prefix keeps a source's principal
 * from ever equalling a marker). `OR cardinality(principals) = 0` cannot use an index; this can (label-list
 * index: the agent filter cost ~0.1 ms instead of ~5 ms per full-text query at 20k chunks).
 * Indexes built before these columns get them on open, with what absent permissions mean: every agent.
 */
export function accessFields(): Field<DataType>[] {
  return [
    new Field('is_public', new Bool(), false),
    new Field('principals', listOfStrings(), false),
    new Field('access', listOfStrings(), false),
  ];
}

export const publicToken = '*public';
export const everyAgentToken = '*agents';
const principalToken = (principal: string) => `p:${principal}`;

/** The `access` tokens of a chunk; see {@link accessFields}. */
export function accessTokens(isPublic: boolean, principals: readonly string[]): string[] {
  const own = normalizePrincipals(principals);
  return [
    ...(isPublic ? [publicToken] : []),
    ...(own.length === 0 ? [everyAgentToken] : own.map(principalToken)),
  ];
}

/** SQL defaults `addColumns` fills the access columns of existing rows with. `make_array()` alone is List<Null>. */
export const accessColumnDefaults: Record<string, string> = {
  is_public: 'false',
  principals: listSql([]),
  access: listSql([everyAgentToken]),
};

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
  is_public: boolean;
  principals: string[];
  access: string[];
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
    is_public: chunk.isPublic,
    principals: normalizePrincipals(chunk.principals),
    access: accessTokens(chunk.isPublic, chunk.principals),
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
  'is_public',
  'principals',
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
    isPublic: row.is_public === true,
    principals: stringList(row.principals),
  };
}

/** A list cell as LanceDB returns it (an Arrow vector) or as we wrote it (an array). */
function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value && typeof (value as { toArray?: unknown }).toArray === 'function') {
    return Array.from((value as { toArray(): ArrayLike<unknown> }).toArray(), String);
  }
  return [];
}

/**
 * The prefilter for an audience, or null for none (admin). Runs inside LanceDB before the limit, on both legs:
 * an agent sees public chunks, chunks without principals, and chunks sharing one of its principals; the widget
 * sees public chunks only.
 */
export function accessFilter(audience: SearchAudience | undefined): string | null {
  const checked = checkAudience(audience);
  if (checked === undefined || checked.kind === 'admin') return null;
  if (checked.kind === 'public') return 'is_public = true';
  const tokens = [publicToken, everyAgentToken, ...checked.principals.map(principalToken)];
  return `array_has_any(access, make_array(${tokens.map(sqlString).join(', ')}))`;
}

/** SQL for a principals list value (typed, so an empty list is List<Utf8> rather than List<Null>). */
export function listSql(values: readonly string[]): string {
  return `arrow_cast(make_array(${values.map(sqlString).join(', ')}), 'List(Utf8)')`;
}

/** SQL assignments that set a document's access columns (for LanceDB's update). */
export function accessSql(isPublic: boolean, principals: readonly string[]): Record<string, string> {
  return {
    is_public: String(isPublic),
    principals: listSql(normalizePrincipals(principals)),
    access: listSql(accessTokens(isPublic, principals)),
  };
}

/** SQL string literal for LanceDB filters. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
