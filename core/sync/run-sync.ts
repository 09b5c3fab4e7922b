import { z } from 'zod';
import {
  checkpointSchema,
  type Checkpoint,
  type ConnectorSource,
  type ItemFailure,
  type SourceDocument,
  type SyncRun,
  type SyncWindow,
} from '../contract/connector.js';
import { AppError, isAppError } from '../contract/errors.js';
import type { ParsedDocument } from '../contract/retrieval.js';
import type { SecretStore } from '../contract/secrets.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import type { ParseFailure } from '../knowledge/ingest/types.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { ingestDocuments } from '../knowledge/pipeline/ingest-run.js';
import { resolveSecrets } from './connector-secrets.js';
import { MassPruneRefused, pruneConnectorDocuments } from './prune.js';
import { loadConnector, type ConnectorRegistry } from './registry.js';
import { retryingFetch, type RetryOptions } from './retrying-fetch.js';
import { defaultStaleAfterMs, isAbandoned, markActive, markDone, thisOwner } from './run-lease.js';
import { withTenantIndex } from './tenant-lock.js';
import { toParsedDocument } from './to-parsed-document.js';

/** What a running sync reports after each page (and while pruning), for progress bars and the console. */
export interface SyncProgress {
  runId: string;
  phase: 'loading' | 'pruning';
  /** Pages ingested so far in this run. */
  pages: number;
  /** Documents and failures read so far. */
  documents: number;
  added: number;
  updated: number;
  deleted: number;
  failed: number;
}

export interface SyncRequest {
  kb: KnowledgeBase;
  store: Store;
  secrets: SecretStore;
  tenant: TenantId;
  connectorId: string;
  /** Everything, not just what changed since the last successful run; also starts over a half-done run. */
  full?: boolean;
  /** Cancels the run: it ends `cancelled` and the next run resumes from the last saved page. */
  signal: AbortSignal;
  /** The network as the connector sees it (wrapped with retries); default the global fetch. */
  fetch?: typeof fetch;
  onProgress?: (progress: SyncProgress) => void;
  /** Warning and retry lines from the connector and the runner; never secrets. */
  log?: (message: string) => void;
  /** Tests: connector kinds to use instead of connectors/index.ts. */
  registry?: ConnectorRegistry;
  retry?: Omit<RetryOptions, 'signal' | 'log'>;
  /** How far before the last window's end an incremental sync starts, for clocks that disagree. Default 5 min. */
  clockSkewMs?: number;
  /** How often a running run proves it is alive. Default 20 s. */
  heartbeatMs?: number;
}

/**
 * Index upkeep (full-text index, compaction) runs every this many pages and once at the end, not after each
 * page: its cost grows with the table, and after every page it dominated a 10,000-page sync.
 */
const maintainEveryPages = 20;

function maintainIndex(request: SyncRequest): Promise<unknown> {
  return withTenantIndex(request.tenant, async () => (await request.kb.indexFor(request.tenant)).maintain());
}

/** At most this many failures are kept on a run; the rest are counted in a last entry. */
const maxRecordedFailures = 500;

/**
 * The runner's own checkpoint around the connector's: the window the run covers travels with the cursor, so a
 * resumed run continues the same window, and a finished one tells the next incremental run where to start.
 */
const savedStateSchema = z.object({
  hasMore: z.boolean(),
  window: z.object({ start: z.string().nullable(), end: z.string() }),
  connector: checkpointSchema,
});
type SavedState = z.infer<typeof savedStateSchema>;

/** Connectors syncing in this process, `tenant/connector`: a second run of one is refused, not raced. */
const syncing = new Set<string>();

/**
 * Syncs one connector: loads its definition and secrets, then page by page asks the source for what changed,
 * ingests the page (prune off, in the connector's knowledge source) and only then saves the checkpoint, so a
 * process killed mid-page redoes that page and never skips one. A run left `running` by a dead process is
 * marked interrupted and resumed from its checkpoint; after the last page, documents the source no longer lists
 * are pruned (capability `listIds`). Returns the finished run: `succeeded`, `failed` (error set; the checkpoint
 * is kept, so after fixing e.g. an expired token the next run resumes) or `cancelled`. Throws only when no run
 * could be started (unknown connector, one already running).
 */
export async function runSync(request: SyncRequest): Promise<SyncRun> {
  const { store, tenant, connectorId } = request;
  const config = await store.connectors.get(tenant, connectorId);
  if (!config) {
    throw new AppError(
      'not_found',
      `no connector ${connectorId} in tenant "${tenant}" (see "airdesk connectors list")`,
    );
  }
  const key = `${tenant}/${connectorId}`;
  if (syncing.has(key)) throw new AppError('conflict', `connector "${config.name}" is already syncing`);
  syncing.add(key);
  try {
    const run = await store.connectors.startRun(tenant, connectorId, {
      owner: thisOwner,
      isAbandoned: (lease) => isAbandoned(lease, defaultStaleAfterMs),
    });
    markActive(run.id);
    const heartbeat = setInterval(() => {
      store.connectors.heartbeat(tenant, run.id).catch(() => {});
    }, request.heartbeatMs ?? 20_000);
    heartbeat.unref();
    try {
      return await executeRun(request, config.name, config.kind, config.settings, run);
    } finally {
      clearInterval(heartbeat);
      markDone(run.id);
    }
  } finally {
    syncing.delete(key);
  }
}

interface Totals {
  pages: number;
  documents: number;
  added: number;
  updated: number;
  deleted: number;
  failures: SyncRun['failures'];
  failed: number;
}

async function executeRun(
  request: SyncRequest,
  name: string,
  kind: string,
  storedSettings: Record<string, unknown>,
  run: SyncRun,
): Promise<SyncRun> {
  const { store, tenant, connectorId, signal } = request;
  const totals: Totals = {
    pages: 0,
    documents: 0,
    added: 0,
    updated: 0,
    deleted: 0,
    failures: [],
    failed: 0,
  };
  const finish = (status: SyncRun['status'], error: string | null) =>
    store.connectors.finishRun(tenant, run.id, {
      status,
      added: totals.added,
      updated: totals.updated,
      deleted: totals.deleted,
      failures: recordedFailures(totals),
      error,
    });
  try {
    const definition = await loadConnector(kind, request.registry);
    const parsed = definition.settingsSchema.safeParse(storedSettings);
    if (!parsed.success) {
      throw new AppError(
        'invalid_input',
        `connector "${name}" has invalid settings (${parsed.error.issues[0]?.message ?? 'invalid'}); add it again`,
      );
    }
    const secrets = await resolveSecrets(definition, storedSettings, {
      tenant,
      connectorName: name,
      secrets: request.secrets,
    });
    const log = request.log;
    const source = definition.create(parsed.data, {
      secrets,
      fetch: retryingFetch(request.fetch ?? fetch, { ...request.retry, signal, ...(log ? { log } : {}) }),
      ...(log ? { log } : {}),
    });
    const saved = await loadSavedState(store, tenant, connectorId);
    const resumed = !request.full && saved?.hasMore === true;
    const window = resumed
      ? saved.window
      : nextWindow(request, saved, await lastSuccess(store, tenant, connectorId));
    let checkpoint = resumed
      ? saved.connector
      : source.initialCheckpoint(request.full || !saved ? null : saved.connector);
    if (resumed) log?.(`resuming the interrupted run from its last saved page`);
    // A full sync that read every page itself knows every current id, so it prunes even without listIds.
    const seen =
      !resumed && window.start === null && !definition.capabilities.listIds ? new Set<string>() : null;

    let pagesSinceMaintain = 0;
    for (;;) {
      signal.throwIfAborted();
      const next = await ingestPage(request, name, source, window, checkpoint, totals, run.id, seen);
      totals.pages += 1;
      pagesSinceMaintain += 1;
      if (pagesSinceMaintain >= maintainEveryPages) {
        await maintainIndex(request);
        pagesSinceMaintain = 0;
      }
      const state: SavedState = { hasMore: next.hasMore, window, connector: next };
      await store.connectors.saveCheckpoint(tenant, connectorId, state);
      report(request, run.id, 'loading', totals);
      if (!next.hasMore) break;
      if (JSON.stringify(next) === JSON.stringify(checkpoint)) {
        throw new Error(
          `the ${kind} connector returned the same checkpoint with hasMore: a bug in the connector`,
        );
      }
      checkpoint = next;
    }

    if (definition.capabilities.listIds && source.listIds) {
      report(request, run.id, 'pruning', totals);
      const current = new Set<string>();
      for await (const id of source.listIds(signal)) current.add(id);
      // An empty or partial listing (an unmounted share, a permissions change on the service account) must
      // not wipe the knowledge base: a prune of most documents is refused unless the admin asked for --full.
      try {
        totals.deleted += await withTenantIndex(tenant, () =>
          pruneConnectorDocuments(request.kb, tenant, connectorId, (id) => !current.has(id), {
            guard: request.full !== true,
          }),
        );
      } catch (error) {
        if (!(error instanceof MassPruneRefused)) throw error;
        totals.failures.push({ message: error.message });
        log?.(error.message);
      }
    } else if (seen) {
      report(request, run.id, 'pruning', totals);
      totals.deleted += await withTenantIndex(tenant, () =>
        pruneConnectorDocuments(request.kb, tenant, connectorId, (id) => !seen.has(id)),
      );
    }
    await maintainIndex(request);
    return await finish('succeeded', null);
  } catch (error) {
    // What was ingested before the failure is kept: make it searchable too (best effort).
    await maintainIndex(request).catch(() => {});
    if (signal.aborted) return finish('cancelled', null);
    return finish('failed', failureMessage(name, error));
  }
}

/** Loads one page from the source, converts and ingests it; returns the checkpoint the source gave back. */
async function ingestPage(
  request: SyncRequest,
  name: string,
  source: ConnectorSource,
  window: SyncWindow,
  checkpoint: Checkpoint,
  totals: Totals,
  runId: string,
  seen: Set<string> | null,
): Promise<Checkpoint> {
  const { signal } = request;
  // The page is read (and parsed) whole before it is written, so a slow source never holds the tenant's index.
  const page = source.load(window, checkpoint, signal);
  const items: (ParsedDocument | ParseFailure)[] = [];
  let r = await page.next();
  for (; !r.done; r = await page.next()) {
    seen?.add(r.value.externalId ?? '');
    items.push(
      isItemFailure(r.value) ? toFailure(r.value, name) : await toParsedDocument(r.value, name, signal),
    );
    totals.documents += 1;
  }
  const returned: Checkpoint = r.value;
  const result = await withTenantIndex(request.tenant, () =>
    ingestDocuments(request.kb, {
      tenant: request.tenant,
      sourceName: name,
      connectorId: request.connectorId,
      items: (async function* () {
        yield* items;
      })(),
      prune: false,
      maintain: false,
      signal,
    }),
  );
  totals.added += result.added;
  totals.updated += result.updated;
  totals.failed += result.failed.length;
  for (const f of result.failed) {
    if (totals.failures.length < maxRecordedFailures) {
      totals.failures.push({ ...(f.externalId ? { externalId: f.externalId } : {}), message: f.reason });
    }
  }
  const parsed = checkpointSchema.safeParse(returned);
  if (!parsed.success) throw new Error(`the connector's load() returned no valid checkpoint (${runId})`);
  return parsed.data;
}

function isItemFailure(item: SourceDocument | ItemFailure): item is ItemFailure {
  return 'failure' in item && item.failure === true;
}

function toFailure(item: ItemFailure, name: string): ParseFailure {
  return {
    failure: true,
    source: name,
    ...(item.externalId !== undefined ? { externalId: item.externalId } : {}),
    reason: item.message,
  };
}

async function loadSavedState(
  store: Store,
  tenant: TenantId,
  connectorId: string,
): Promise<SavedState | null> {
  const raw = await store.connectors.loadCheckpoint(tenant, connectorId);
  const parsed = savedStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

async function lastSuccess(store: Store, tenant: TenantId, connectorId: string): Promise<SyncRun | null> {
  return (await store.connectors.runs(tenant, connectorId, 50)).find((r) => r.status === 'succeeded') ?? null;
}

/**
 * Full: everything up to now. Incremental: from the end of the last completed window (or, without one, the
 * start of the last successful run), minus a margin for clocks that disagree; nothing ever synced means full.
 */
function nextWindow(request: SyncRequest, saved: SavedState | null, success: SyncRun | null): SyncWindow {
  const end = new Date().toISOString();
  if (request.full) return { start: null, end };
  const from = saved && !saved.hasMore ? saved.window.end : success?.startedAt;
  if (!from) return { start: null, end };
  const skew = request.clockSkewMs ?? 5 * 60_000;
  return { start: new Date(Date.parse(from) - skew).toISOString(), end };
}

function report(request: SyncRequest, runId: string, phase: SyncProgress['phase'], t: Totals): void {
  request.onProgress?.({
    runId,
    phase,
    pages: t.pages,
    documents: t.documents,
    added: t.added,
    updated: t.updated,
    deleted: t.deleted,
    failed: t.failed,
  });
}

function recordedFailures(t: Totals): SyncRun['failures'] {
  const more = t.failed - t.failures.length;
  return more > 0 ? [...t.failures, { message: `… and ${more} more failures` }] : t.failures;
}

/** One line for the run's history: what went wrong and what to do; the checkpoint is always kept. */
function failureMessage(name: string, error: unknown): string {
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
  if (isAppError(error) && (error.code === 'unauthorized' || error.code === 'forbidden')) {
    return `${message} — the sync position is kept: fix the credentials of "${name}" and sync again to resume`;
  }
  return isAppError(error) ? message : `${name}: ${message}`;
}
