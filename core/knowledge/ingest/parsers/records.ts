import type { ParsedDocument } from '../../../contract/retrieval.js';
import { normalizeText } from '../text.js';
import type { ParseFailure } from '../types.js';
import { parseFailure } from '../types.js';

/** Where a record sits in its file, for failure reasons and metadata: a JSONL line or a JSON array index. */
export type RecordLocation = { line: number } | { index: number };

const describe = (at: RecordLocation): string => ('line' in at ? `line ${at.line}` : `record ${at.index}`);

/** `_id` wins over `id` (BEIR files carry `_id`); numbers are accepted and become their decimal string. */
function recordId(record: Record<string, unknown>): string | null {
  for (const key of ['_id', 'id']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

/** True when a parsed JSON value looks like one record rather than a container of them. */
export function looksLikeRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'text' in value;
}

/**
 * Converts one `{_id or id, title?, text}` record to a document with a single section. A record with no title
 * keeps an empty one: its id is not a title, and made-up titles would be indexed as if they were content.
 * Other fields are not indexed; `url` and an object `metadata` are kept as metadata.
 */
export function recordToDocument(
  value: unknown,
  source: string,
  at: RecordLocation,
): ParsedDocument | ParseFailure {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return parseFailure(source, `${describe(at)}: not a JSON object`);
  }
  const record = value as Record<string, unknown>;
  const externalId = recordId(record);
  if (externalId === null) return parseFailure(source, `${describe(at)}: missing _id or id`);
  if (typeof record.text !== 'string')
    return parseFailure(source, `${describe(at)}: missing text`, externalId);
  const text = normalizeText(record.text);
  if (!text) return parseFailure(source, `${describe(at)}: empty document`, externalId);
  const title = typeof record.title === 'string' ? normalizeText(record.title) : '';
  const metadata: Record<string, unknown> = { ...at };
  if (typeof record.url === 'string') metadata.url = record.url;
  if (typeof record.metadata === 'object' && record.metadata !== null) metadata.fields = record.metadata;
  return { externalId, title, source, sections: [{ headings: [], text }], metadata };
}

/**
 * Remembers the ids seen in one file so a repeated id fails instead of silently replacing the first record
 * (the first one wins: it is the one a reader of the file sees first). Holds one entry per record.
 */
export class SeenIds {
  // The line or index number only: a file's records are all located the same way, and numbers are small.
  private readonly first = new Map<string, number>();

  /** The duplicate failure for `doc`, or null when its id is new (and now remembered). */
  check(doc: ParsedDocument, at: RecordLocation): ParseFailure | null {
    const position = 'line' in at ? at.line : at.index;
    const earlier = this.first.get(doc.externalId);
    if (earlier !== undefined) {
      const first = describe('line' in at ? { line: earlier } : { index: earlier });
      return parseFailure(doc.source, `${describe(at)}: duplicate id (first at ${first})`, doc.externalId);
    }
    this.first.set(doc.externalId, position);
    return null;
  }
}
