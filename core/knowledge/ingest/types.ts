import type { ParsedDocument } from '../../contract/retrieval.js';

/**
 * One file or record that could not be turned into a document. The batch goes on; the report lists it.
 * Shaped like the connector contract's `ItemFailure` (a `failure: true` tag) so one pipeline serves both.
 */
export interface ParseFailure {
  failure: true;
  /** The file the failure came from. */
  source: string;
  /** The record's id when one was read (JSON/JSONL), else the file's external id when known. */
  externalId?: string;
  /** Short, human-readable: "encrypted", "binary file", "line 7: invalid JSON (...)". */
  reason: string;
}

/** A path the walker passed over on purpose (unsupported type, symlink loop); not a failure. */
export interface SkippedFile {
  skipped: true;
  source: string;
  reason: string;
}

export type ParseResult = ParsedDocument | ParseFailure;

/** Options every parser shares. */
export interface ParseOptions {
  /** External id of a whole-file document (walk.ts derives it from the path); records carry their own. */
  externalId: string;
  /** Limit for formats read whole into memory (all but JSONL). Default 64 MiB. */
  maxFileBytes?: number;
  /** Limit for one JSONL line, so one runaway line cannot exhaust memory. Default 16 MiB. */
  maxLineBytes?: number;
  /** Cancels a parse; cancellation is thrown as an AbortError, never reported as a failure. */
  signal?: AbortSignal;
}

export const defaultMaxFileBytes = 64 * 1024 * 1024;
export const defaultMaxLineBytes = 16 * 1024 * 1024;

/** Builds a failure; `externalId` is left out when unknown so reports do not print "undefined". */
export function parseFailure(source: string, reason: string, externalId?: string): ParseFailure {
  return externalId === undefined
    ? { failure: true, source, reason }
    : { failure: true, source, externalId, reason };
}

/** Narrows a parse result or walk entry to a failure. */
export function isParseFailure(value: object): value is ParseFailure {
  return 'failure' in value && value.failure === true;
}

/** Narrows a walk entry to a skipped path. */
export function isSkippedFile(value: object): value is SkippedFile {
  return 'skipped' in value && value.skipped === true;
}

/** An error's message without its stack, for a one-line failure reason. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/** "ENOENT"-style reason for a filesystem error, which says more than the full message with the path repeated. */
export function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ? `unreadable (${code})` : `unreadable (${messageOf(error)})`;
}

/** "64 MB" / "512 KB": sizes in failure reasons, rounded to one decimal. */
export function formatSize(bytes: number): string {
  const [value, unit] = bytes >= 2 ** 20 ? [bytes / 2 ** 20, 'MB'] : [bytes / 1024, 'KB'];
  return `${Math.round(value * 10) / 10} ${unit}`;
}
