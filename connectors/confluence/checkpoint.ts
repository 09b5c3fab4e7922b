import { z } from 'zod';
import { AppError } from '../../core/contract/index.js';

/**
 * Where a load stopped, saved by the runner after each page and given back after a restart.
 *
 * Confluence pages search results by offset (`start`), and the order (last modified, oldest first) moves under us:
 * a page edited during the sync jumps to the end, so everything after it shifts one place towards the front. To not
 * skip what shifted, each load re-reads the previous page's positions too and skips only what it already yielded,
 * by `id@version` in `seen`; an edited page comes back at the end with a new version and is yielded again.
 */
export const confluenceCheckpointSchema = z
  .object({
    hasMore: z.boolean(),
    /** Offset in the search results of the first position not yet read. */
    start: z.number().int().min(0),
    /** The CQL this window searches; a checkpoint for other settings or another window starts over. */
    cql: z.string().nullable(),
    /** Pages changed before this instant (server clock) are skipped; null on a full sync. */
    changedSince: z.string().nullable(),
    /** `id@version` of the search hits read by the previous load. */
    seen: z.array(z.string()),
  })
  .strict();
export type ConfluenceCheckpoint = z.infer<typeof confluenceCheckpointSchema>;

export function initialConfluenceCheckpoint(): ConfluenceCheckpoint {
  return { hasMore: true, start: 0, cql: null, changedSince: null, seen: [] };
}

/** Reads a saved checkpoint; one that is not ours is a bug in the caller, reported as invalid input. */
export function parseCheckpoint(value: unknown): ConfluenceCheckpoint {
  const parsed = confluenceCheckpointSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      'invalid_input',
      `not a Confluence connector checkpoint: ${parsed.error.issues[0]?.message ?? 'unknown shape'}`,
    );
  }
  return parsed.data;
}

/**
 * How far before the window start the CQL date reaches. CQL dates are wall-clock times in the Confluence server's
 * time zone, which the REST API does not tell us: UTC-12 is the furthest behind UTC, so a UTC wall-clock time moved
 * back 14 hours is at or before the window start in every zone (with 2 h to spare for clock skew). The exact cut is
 * made on each hit's `version.when`, which carries its UTC offset.
 */
export const cqlMarginMs = 14 * 60 * 60 * 1000;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A CQL date literal (`yyyy/MM/dd HH:mm`) for an instant, as UTC wall-clock time, rounded down to the minute. */
export function cqlDate(instantMs: number): string {
  const d = new Date(instantMs);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function quoteCql(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The search of one window: pages of the spaces, changed since the window start less the margin, oldest first. */
export function windowCql(spaces: readonly string[], windowStart: string | null): string {
  const clauses = ['type = page', `space in (${spaces.map(quoteCql).join(', ')})`];
  if (windowStart !== null) {
    const start = Date.parse(windowStart);
    if (Number.isNaN(start))
      throw new AppError('invalid_input', `sync window start "${windowStart}" is not an ISO time`);
    clauses.push(`lastmodified >= ${quoteCql(cqlDate(start - cqlMarginMs))}`);
  }
  return `${clauses.join(' AND ')} ORDER BY lastmodified ASC`;
}
