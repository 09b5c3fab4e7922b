import { decodeBytes } from '../decode.js';
import type { ParseResult } from '../types.js';
import { messageOf, parseFailure } from '../types.js';
import { looksLikeRecord, recordToDocument, SeenIds } from './records.js';

/**
 * Parses a .json file holding an array of `{_id or id, title?, text}` records, or one such record. The whole
 * file is read (it is size-limited by the dispatcher); record sets too big for that belong in .jsonl.
 * A bad record fails alone; a file that is not JSON, or not records, fails as a whole.
 */
export function* parseJsonRecords(
  bytes: Uint8Array,
  source: string,
  signal?: AbortSignal,
): Generator<ParseResult> {
  const decoded = decodeBytes(bytes);
  if ('failure' in decoded) {
    yield parseFailure(source, decoded.failure);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch (error) {
    yield parseFailure(source, `invalid JSON (${messageOf(error)})`);
    return;
  }
  const records = Array.isArray(value) ? value : looksLikeRecord(value) ? [value] : null;
  if (records === null) {
    yield parseFailure(
      source,
      'not records: expected an array of {_id or id, title?, text} or one such record',
    );
    return;
  }
  if (records.length === 0) {
    yield parseFailure(source, 'empty document (no records)');
    return;
  }
  const seen = new SeenIds();
  for (let index = 0; index < records.length; index++) {
    signal?.throwIfAborted();
    const at = { index };
    const result = recordToDocument(records[index], source, at);
    yield 'failure' in result ? result : (seen.check(result, at) ?? result);
  }
}
