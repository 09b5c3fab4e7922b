import { z } from 'zod';
import type { Checkpoint } from '../../core/contract/index.js';

/**
 * One unit of a run: the files of a library (server: its title; graph: its drive id) or the site pages
 * (server: the pages library's title; graph: the site id).
 */
const stepSchema = z.object({ kind: z.enum(['files', 'pages']), id: z.string().min(1) });
export type SyncStep = z.infer<typeof stepSchema>;

/** Where a run stands. The steps are fixed when the run starts, so a resumed run walks the same list. */
const cursorSchema = z.object({
  steps: z.array(stepSchema),
  step: z.number().int().min(0),
  /** The next page of the current step (the API's own link); null when the step starts. */
  nextLink: z.string().nullable(),
});
export type SyncCursor = z.infer<typeof cursorSchema>;

/** Server mode: changes are found with a `Modified ge` filter from the window, so only the position is kept. */
export const serverCheckpointSchema = z.object({
  hasMore: z.boolean(),
  mode: z.literal('server'),
  /** Null between runs: the next `load` starts a new run. */
  cursor: cursorSchema.nullable(),
});
export type ServerCheckpoint = z.infer<typeof serverCheckpointSchema>;

/**
 * Graph mode: besides the position, each drive's `@odata.deltaLink` from its last complete enumeration, kept
 * across runs (the runner hands the last checkpoint of one run to the next), so the next run asks only for changes.
 */
export const graphCheckpointSchema = z.object({
  hasMore: z.boolean(),
  mode: z.literal('graph'),
  cursor: cursorSchema.nullable(),
  deltaLinks: z.record(z.string(), z.string()),
});
export type GraphCheckpoint = z.infer<typeof graphCheckpointSchema>;

/**
 * Reads a saved checkpoint. One that does not parse (another mode after the settings changed, an older shape) is
 * dropped with a log line and the run starts over from `fresh`: a full sync is slow, never wrong.
 */
export function readCheckpoint<T extends Checkpoint>(
  schema: z.ZodType<T>,
  saved: Checkpoint,
  fresh: T,
  log: ((message: string) => void) | undefined,
): T {
  const parsed = schema.safeParse(saved);
  if (parsed.success) return parsed.data;
  log?.('the saved checkpoint is from another configuration or version; starting a full sync');
  return fresh;
}

/** The checkpoint fields after a page: the next page of this step, the next step, or the end of the run. */
export function advance(
  cursor: SyncCursor,
  nextLink: string | null,
): { hasMore: boolean; cursor: SyncCursor | null } {
  if (nextLink !== null) return { hasMore: true, cursor: { ...cursor, nextLink } };
  const step = cursor.step + 1;
  if (step >= cursor.steps.length) return { hasMore: false, cursor: null };
  return { hasMore: true, cursor: { steps: cursor.steps, step, nextLink: null } };
}
