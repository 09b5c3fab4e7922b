import type { ParsedDocument } from '../../contract/retrieval.js';
import { parseFile } from './parse-file.js';
import type { ParseFailure, ParseOptions, SkippedFile } from './types.js';
import { parseFailure } from './types.js';
import { walkPaths } from './walk.js';

/** Options of {@link readDocuments}: those of `parseFile` without the per-file id, which the walker supplies. */
export type ReadOptions = Omit<ParseOptions, 'externalId'>;

/**
 * Walks the ingest arguments and parses every file: the whole of reading for `airdesk ingest`, in the order
 * the walker gives. An external id seen earlier in the run (the same record id in two files, a file id equal to
 * a record id) fails the later document, so one run never lets two documents fight over one id.
 */
export async function* readDocuments(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<ParsedDocument | ParseFailure | SkippedFile> {
  const firstSource = new Map<string, string>();
  for await (const entry of walkPaths(paths)) {
    if ('skipped' in entry) {
      yield entry;
      continue;
    }
    for await (const result of parseFile(entry.path, { ...options, externalId: entry.externalId })) {
      if ('failure' in result) {
        yield result;
        continue;
      }
      const earlier = firstSource.get(result.externalId);
      // Within one file the parser has already reported duplicates; this catches ids repeated across files.
      if (earlier !== undefined && earlier !== result.source) {
        yield parseFailure(result.source, `duplicate id (also in ${earlier})`, result.externalId);
        continue;
      }
      firstSource.set(result.externalId, result.source);
      yield result;
    }
  }
}
