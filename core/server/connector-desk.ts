import type { FastifyBaseLogger } from 'fastify';
import type { SecretStore } from '../contract/secrets.js';
import type { ConnectorStore, Store } from '../contract/store.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { ConnectorRegistry } from '../sync/registry.js';
import { SyncScheduler } from '../sync/scheduler.js';
import { toErrorResponse } from './http-common.js';
import { SyncEvents } from './sync-events.js';

/** Connector syncs as the console listener uses them. */
export interface ConnectorDesk {
  kb: KnowledgeBase;
  secrets: SecretStore;
  scheduler: SyncScheduler;
  events: SyncEvents;
  /** Tests: connector kinds to use instead of connectors/index.ts. */
  registry?: ConnectorRegistry;
  /** The network connectors get (tests); default the global fetch. */
  fetch?: typeof fetch;
}

export interface ConnectorDeskOptions {
  kb: KnowledgeBase;
  secrets: SecretStore;
  logger: FastifyBaseLogger;
  registry?: ConnectorRegistry;
  fetch?: typeof fetch;
  /** Syncs running at once; default 2. */
  concurrency?: number;
}

/**
 * The sync scheduler with its callbacks wired to the console's live-progress events and the log. Call
 * `scheduler.refresh()` to arm the schedules and `scheduler.stop()` when the server drains.
 */
export function createConnectorDesk(options: ConnectorDeskOptions): ConnectorDesk {
  const { kb, secrets, logger } = options;
  const events = new SyncEvents();
  const scheduler = new SyncScheduler({
    kb,
    store: announcingRunStarts(kb.store, events),
    secrets,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onProgress: (_tenant, progress) => events.progress(progress),
    onRunEnd: (tenant, connectorId, outcome) => {
      if ('run' in outcome) {
        const { run } = outcome;
        // Counts only: failure reasons and errors can quote documents, and stay in the tenant's database.
        logger.info(
          {
            tenant,
            connectorId,
            runId: run.id,
            status: run.status,
            added: run.added,
            updated: run.updated,
            deleted: run.deleted,
            failed: run.failures.length,
          },
          'sync finished',
        );
        events.finished(tenant, connectorId, { run });
      } else {
        const { status, body } = toErrorResponse(outcome.error as Parameters<typeof toErrorResponse>[0]);
        if (status >= 500 && status !== 503)
          logger.error({ err: outcome.error, tenant, connectorId }, 'sync failed');
        else logger.info({ tenant, connectorId, code: body.error.code }, 'sync did not start');
        events.finished(tenant, connectorId, { error: body });
      }
    },
    log: (tenant, connectorId, message) => logger.info({ tenant, connectorId }, `sync: ${message}`),
  });
  return {
    kb,
    secrets,
    scheduler,
    events,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

/**
 * The store with `connectors.startRun` announcing each run as it starts, so the console learns a run-now's id
 * (and maps progress to its connector) before the first page is read. The scheduler has no start callback;
 * see the report on issue 6 for the small core/sync change that would replace this.
 */
function announcingRunStarts(store: Store, events: SyncEvents): Store {
  const connectors: ConnectorStore = Object.create(store.connectors) as ConnectorStore;
  connectors.startRun = async (tenant, connectorId, lease) => {
    const run = await store.connectors.startRun(tenant, connectorId, lease);
    events.started(tenant, run);
    return run;
  };
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, 'connectors', { value: connectors });
  return wrapped;
}
