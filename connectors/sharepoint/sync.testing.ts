import type {
  Checkpoint,
  ConnectorContext,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/index.js';

export type Loaded = SourceDocument | ItemFailure;

export const isFailure = (item: Loaded): item is ItemFailure => 'failure' in item;

/** A context as the runner builds it: the token resolved, the real fetch, log lines collected. */
export function testContext(token: string, logs: string[] = []): ConnectorContext {
  return { secrets: { token }, fetch, log: (line) => logs.push(line) };
}

/** One `load` call: what it yielded and the checkpoint it returned. */
export async function loadPage(
  source: ConnectorSource,
  window: SyncWindow,
  checkpoint: Checkpoint,
): Promise<{ items: Loaded[]; checkpoint: Checkpoint }> {
  const generator = source.load(window, checkpoint, new AbortController().signal);
  const items: Loaded[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { items, checkpoint: step.value };
    items.push(step.value);
  }
}

/**
 * A whole run as the runner drives it: page after page until `hasMore` is false, each checkpoint saved as JSON
 * and read back in between (so nothing survives that a saved checkpoint would lose).
 */
export async function syncAll(
  source: ConnectorSource,
  window: SyncWindow,
  start: Checkpoint = source.initialCheckpoint(),
): Promise<{ docs: SourceDocument[]; failures: ItemFailure[]; checkpoint: Checkpoint; pages: number }> {
  const docs: SourceDocument[] = [];
  const failures: ItemFailure[] = [];
  let checkpoint = start;
  let pages = 0;
  do {
    const page = await loadPage(source, window, checkpoint);
    pages++;
    for (const item of page.items) {
      if (isFailure(item)) failures.push(item);
      else docs.push(item);
    }
    checkpoint = JSON.parse(JSON.stringify(page.checkpoint)) as Checkpoint;
    if (pages > 1000) throw new Error('the sync never ends');
  } while (checkpoint.hasMore);
  return { docs, failures, checkpoint, pages };
}

export async function listAll(source: ConnectorSource): Promise<string[]> {
  const ids: string[] = [];
  if (!source.listIds) throw new Error('no listIds');
  for await (const id of source.listIds(new AbortController().signal)) ids.push(id);
  return ids.sort();
}

export const fullWindow = (): SyncWindow => ({ start: null, end: new Date().toISOString() });
export const windowSince = (start: string): SyncWindow => ({ start, end: new Date().toISOString() });

/** The bytes of a file document (fails the test on anything else). */
export function bytesOf(doc: SourceDocument | undefined): Uint8Array {
  if (doc?.content.kind !== 'file')
    throw new Error(`not a file document: ${JSON.stringify(doc?.content.kind)}`);
  return doc.content.bytes;
}
