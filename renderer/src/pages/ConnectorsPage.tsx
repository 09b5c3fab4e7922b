import { useCallback, useEffect, useState } from 'react';
import type { ConnectorKindInfo, ConnectorView } from '../../../core/contract/console-api.js';
import { messageOf } from '../api.js';
import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import { listConnectorKinds, listConnectors } from './ConnectorsApi.js';
import { ConnectorsDetail } from './ConnectorsDetail.js';
import { ConnectorsForm } from './ConnectorsForm.js';
import { formatTime, RunStatus } from './ConnectorsRunHistory.js';
import type { PageProps } from './PageProps.js';

type Loaded =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; kinds: ConnectorKindInfo[]; connectors: ConnectorView[] };

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'edit'; id: string };

/** The systems airdesk reads knowledge from: add, test, schedule, sync and watch each one. */
export function ConnectorsPage({ tenants }: PageProps) {
  const tenant = tenants.selected;
  return (
    <>
      <PageHeader
        title="Connectors"
        description="Links to the systems your knowledge and customers live in."
        tenantName={tenant?.name}
      />
      <NoTenantNotice tenants={tenants} />
      {tenant ? (
        <TenantConnectors key={tenant.id} tenant={tenant.id} />
      ) : (
        <EmptyState title="No connectors configured">
          <p>
            Knowledge connectors sync Confluence, SharePoint, Jira, Notion and file shares into a tenant's
            knowledge base. Create a tenant first, then add one here.
          </p>
        </EmptyState>
      )}
    </>
  );
}

function TenantConnectors({ tenant }: { tenant: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    let current = true;
    Promise.all([listConnectorKinds(), listConnectors(tenant)]).then(
      ([kinds, connectors]) => {
        if (current) setLoaded({ status: 'ready', kinds, connectors });
      },
      (error: unknown) => {
        if (current) setLoaded({ status: 'error', message: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, generation]);

  if (loaded.status === 'loading') return <p role="status">Loading connectors…</p>;
  if (loaded.status === 'error') {
    return (
      <div className="callout callout-error" role="alert">
        <p>Could not load the connectors: {loaded.message}</p>
        <button type="button" className="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }
  const { kinds, connectors } = loaded;
  const kindName = (kind: string) => kinds.find((k) => k.kind === kind)?.displayName ?? kind;
  const selected = connectors.find((c) => c.id === selectedId) ?? null;
  const replace = (c: ConnectorView) =>
    setLoaded({
      ...loaded,
      connectors: [...connectors.filter((x) => x.id !== c.id), c].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    });

  if (mode.kind === 'add' || mode.kind === 'edit') {
    const editing = mode.kind === 'edit' ? connectors.find((c) => c.id === mode.id) : undefined;
    return (
      <ConnectorsForm
        tenant={tenant}
        kinds={kinds}
        {...(editing ? { connector: editing } : {})}
        onCancel={() => setMode({ kind: 'list' })}
        onSaved={(saved) => {
          replace(saved);
          setSelectedId(saved.id);
          setMode({ kind: 'list' });
        }}
      />
    );
  }

  return (
    <>
      <div className="toolbar">
        <button type="button" className="button button-primary" onClick={() => setMode({ kind: 'add' })}>
          Add connector
        </button>
        <button type="button" className="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {connectors.length === 0 ? (
        <EmptyState title="No connectors configured">
          <p>
            Add a connector to sync Confluence, SharePoint, Jira, Notion and file shares into this tenant's
            knowledge base, on a schedule or when you click Sync now.
          </p>
        </EmptyState>
      ) : (
        <table className="table panel-table">
          <caption className="visually-hidden">Connectors of this tenant</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Last sync</th>
              <th scope="col">Next sync</th>
            </tr>
          </thead>
          <tbody>
            {connectors.map((c) => (
              <tr key={c.id} aria-current={c.id === selectedId ? 'true' : undefined}>
                <td>
                  <button type="button" className="link-button" onClick={() => setSelectedId(c.id)}>
                    {c.name}
                  </button>
                </td>
                <td>{kindName(c.kind)}</td>
                <td>
                  {c.enabled ? 'Enabled' : 'Disabled'}
                  {c.state !== 'idle' && (
                    <span className="badge">{c.state === 'running' ? 'syncing' : 'queued'}</span>
                  )}
                </td>
                <td>
                  {c.lastRun ? (
                    <>
                      <RunStatus status={c.lastRun.status} />{' '}
                      <time dateTime={c.lastRun.startedAt}>{formatTime(c.lastRun.startedAt)}</time>
                    </>
                  ) : (
                    'Never'
                  )}
                </td>
                <td>{c.enabled && c.nextRunAt ? formatTime(c.nextRunAt) : c.schedule ? '—' : 'On demand'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && (
        <ConnectorsDetail
          key={selected.id}
          tenant={tenant}
          connector={selected}
          kindName={kindName(selected.kind)}
          onEdit={() => setMode({ kind: 'edit', id: selected.id })}
          onChanged={replace}
          onDeleted={() => {
            setSelectedId(null);
            reload();
          }}
          onRunEnded={() => {
            listConnectors(tenant).then(
              (list) => setLoaded((old) => (old.status === 'ready' ? { ...old, connectors: list } : old)),
              () => {},
            );
          }}
        />
      )}
    </>
  );
}
