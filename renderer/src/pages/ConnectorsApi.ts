import { useEffect, useRef } from 'react';
import {
  cancelSyncResultSchema,
  connectionTestResultSchema,
  connectorEvents,
  connectorKindListSchema,
  connectorListSchema,
  connectorRoute,
  connectorRunEventSchema,
  connectorStateEventSchema,
  connectorViewSchema,
  consoleRoutes,
  syncProgressSchema,
  syncRunListSchema,
  syncStartedSchema,
  tenantRoute,
  type AddConnectorRequest,
  type ConnectionTestResult,
  type ConnectorKindInfo,
  type ConnectorState,
  type ConnectorView,
  type SyncProgressEvent,
  type SyncStarted,
  type UpdateConnectorRequest,
} from '../../../core/contract/console-api.js';
import type { SyncRun } from '../../../core/contract/connector.js';
import { request } from '../api.js';

export async function listConnectorKinds(): Promise<ConnectorKindInfo[]> {
  return connectorKindListSchema.parse(await request('GET', consoleRoutes.connectorKinds)).kinds;
}

export async function listConnectors(tenant: string): Promise<ConnectorView[]> {
  return connectorListSchema.parse(await request('GET', tenantRoute(consoleRoutes.connectors, tenant)))
    .connectors;
}

export async function addConnector(tenant: string, input: AddConnectorRequest): Promise<ConnectorView> {
  return connectorViewSchema.parse(
    await request('POST', tenantRoute(consoleRoutes.connectors, tenant), input),
  );
}

export async function updateConnector(
  tenant: string,
  id: string,
  patch: UpdateConnectorRequest,
): Promise<ConnectorView> {
  return connectorViewSchema.parse(
    await request('PATCH', connectorRoute(consoleRoutes.connector, tenant, id), patch),
  );
}

export async function deleteConnector(tenant: string, id: string): Promise<void> {
  await request('DELETE', connectorRoute(consoleRoutes.connector, tenant, id));
}

/** Tests settings: of a connector not added yet (`id` null), or an existing one's (stored when omitted). */
export async function testConnection(
  tenant: string,
  kind: string,
  id: string | null,
  settings?: Record<string, unknown>,
): Promise<ConnectionTestResult> {
  const answer =
    id === null
      ? await request('POST', tenantRoute(consoleRoutes.connectorTestNew, tenant), { kind, settings })
      : await request(
          'POST',
          connectorRoute(consoleRoutes.connectorTest, tenant, id),
          settings ? { settings } : {},
        );
  return connectionTestResultSchema.parse(answer);
}

export async function syncNow(tenant: string, id: string, full: boolean): Promise<SyncStarted> {
  return syncStartedSchema.parse(
    await request('POST', connectorRoute(consoleRoutes.connectorSync, tenant, id), { full }),
  );
}

export async function cancelSync(tenant: string, id: string): Promise<boolean> {
  return cancelSyncResultSchema.parse(
    await request('POST', connectorRoute(consoleRoutes.connectorCancel, tenant, id)),
  ).cancelled;
}

export async function listRuns(tenant: string, id: string): Promise<SyncRun[]> {
  return syncRunListSchema.parse(
    await request('GET', connectorRoute(consoleRoutes.connectorRuns, tenant, id)),
  ).runs;
}

/** What the live-progress stream says about one connector. */
export type LiveEvent =
  | { type: 'state'; state: ConnectorState; progress: SyncProgressEvent | null }
  | { type: 'started'; run: SyncRun }
  | { type: 'progress'; progress: SyncProgressEvent }
  | { type: 'finished'; run: SyncRun }
  | { type: 'failed'; message: string }
  | { type: 'disconnected' };

/**
 * Follows a connector's live sync progress (server-sent events) while the component is shown. The browser
 * reconnects on its own after a dropped connection; the server's first event on each connection is the state.
 */
export function useConnectorEvents(tenant: string, id: string, onEvent: (event: LiveEvent) => void): void {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => {
    const source = new EventSource(connectorRoute(consoleRoutes.connectorEvents, tenant, id));
    const on = (name: string, read: (data: unknown) => LiveEvent) =>
      source.addEventListener(name, (event: MessageEvent<string>) => {
        try {
          handler.current(read(JSON.parse(event.data)));
        } catch {
          // An event this console does not understand (a newer server) is skipped.
        }
      });
    on(connectorEvents.state, (d) => ({ type: 'state', ...connectorStateEventSchema.parse(d) }));
    on(connectorEvents.started, (d) => ({ type: 'started', run: connectorRunEventSchema.parse(d).run }));
    on(connectorEvents.progress, (d) => ({ type: 'progress', progress: syncProgressSchema.parse(d) }));
    on(connectorEvents.finished, (d) => ({ type: 'finished', run: connectorRunEventSchema.parse(d).run }));
    on(connectorEvents.failed, (d) => ({
      type: 'failed',
      message: (d as { error?: { message?: string } }).error?.message ?? 'The sync could not start.',
    }));
    source.onerror = () => handler.current({ type: 'disconnected' });
    return () => source.close();
  }, [tenant, id]);
}
