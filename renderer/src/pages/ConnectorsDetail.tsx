import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { SyncRun } from '../../../core/contract/connector.js';
import type { ConnectorView, SyncProgressEvent } from '../../../core/contract/console-api.js';
import { messageOf } from '../api.js';
import {
  cancelSync,
  deleteConnector,
  listRuns,
  syncNow,
  testConnection,
  updateConnector,
  useConnectorEvents,
  type LiveEvent,
} from './ConnectorsApi.js';
import { ConnectorsRunHistory, formatTime } from './ConnectorsRunHistory.js';

interface ConnectorsDetailProps {
  tenant: string;
  connector: ConnectorView;
  kindName: string;
  onEdit: () => void;
  onChanged: (connector: ConnectorView) => void;
  onDeleted: () => void;
  /** A run ended: the list's last-run column is stale. */
  onRunEnded: () => void;
}

type Notice = { tone: 'ok' | 'error'; text: string } | null;

/** One connector: actions (sync, cancel, test, edit, disable, delete), live progress and history. */
export function ConnectorsDetail(props: ConnectorsDetailProps) {
  const { tenant, connector, onChanged, onRunEnded } = props;
  const [runs, setRuns] = useState<SyncRun[] | null>(null);
  const [runsError, setRunsError] = useState<string | null>(null);
  const [state, setState] = useState(connector.state);
  const [progress, setProgress] = useState<SyncProgressEvent | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [full, setFull] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [live, setLive] = useState(true);
  const id = useId();

  const loadRuns = useCallback(() => {
    listRuns(tenant, connector.id).then(
      (list) => {
        setRuns(list);
        setRunsError(null);
      },
      (error: unknown) => setRunsError(messageOf(error)),
    );
  }, [tenant, connector.id]);
  useEffect(loadRuns, [loadRuns]);

  useConnectorEvents(tenant, connector.id, (event: LiveEvent) => {
    switch (event.type) {
      case 'state':
        setLive(true);
        setState(event.state);
        setProgress(event.progress);
        return;
      case 'started':
        setState('running');
        setProgress(null);
        loadRuns();
        return;
      case 'progress':
        setProgress(event.progress);
        return;
      case 'finished':
        setState('idle');
        setNotice(
          event.run.status === 'succeeded'
            ? {
                tone: 'ok',
                text: `Sync finished: ${event.run.added} added, ${event.run.updated} updated, ${event.run.deleted} deleted, ${event.run.failures.length} failed.`,
              }
            : event.run.status === 'cancelled'
              ? { tone: 'ok', text: 'Sync cancelled; the next one continues from the last saved page.' }
              : { tone: 'error', text: `Sync failed: ${event.run.error ?? 'see the history'}` },
        );
        loadRuns();
        onRunEnded();
        return;
      case 'failed':
        setState('idle');
        setNotice({ tone: 'error', text: event.message });
        onRunEnded();
        return;
      case 'disconnected':
        setLive(false);
        return;
    }
  });

  async function act(name: string, work: () => Promise<void>) {
    setBusy(name);
    setNotice(null);
    try {
      await work();
    } catch (error) {
      setNotice({ tone: 'error', text: messageOf(error) });
    } finally {
      setBusy(null);
    }
  }

  const running = state !== 'idle';
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <div className="panel-head">
        <div>
          <h2 id={`${id}-title`} className="panel-title">
            {connector.name}
          </h2>
          <p className="muted">
            {props.kindName} · {connector.enabled ? 'Enabled' : 'Disabled'} ·{' '}
            {connector.schedule ? (
              <>
                schedule <code>{connector.schedule}</code>, next {formatTime(connector.nextRunAt)}
              </>
            ) : (
              'synced on demand'
            )}
          </p>
        </div>
      </div>
      <div className="toolbar">
        <button
          type="button"
          className="button button-primary"
          disabled={running || !connector.enabled || busy !== null}
          onClick={() =>
            void act('sync', async () => {
              const started = await syncNow(tenant, connector.id, full);
              setState(started.state);
              if (started.state === 'queued')
                setNotice({ tone: 'ok', text: 'Queued: it starts when another sync ends.' });
            })
          }
        >
          Sync now
        </button>
        <label className="check">
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> Full sync (read
          everything)
        </label>
        {running && (
          <button
            type="button"
            className="button"
            onClick={() => void act('cancel', async () => void (await cancelSync(tenant, connector.id)))}
          >
            Cancel sync
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() =>
            void act('test', async () => {
              const result = await testConnection(tenant, connector.kind, connector.id);
              setNotice({ tone: 'ok', text: result.message });
            })
          }
        >
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="button" onClick={props.onEdit}>
          Edit
        </button>
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() =>
            void act('enable', async () =>
              onChanged(await updateConnector(tenant, connector.id, { enabled: !connector.enabled })),
            )
          }
        >
          {connector.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      </div>
      {!connector.enabled && (
        <p className="muted">
          Disabled: it is not synced on its schedule and Sync now is off until you enable it.
        </p>
      )}
      {confirming && (
        <DeleteConfirmation
          name={connector.name}
          busy={busy === 'delete'}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void act('delete', async () => {
              await deleteConnector(tenant, connector.id);
              props.onDeleted();
            })
          }
        />
      )}
      <div role="status" aria-live="polite" className="live">
        {running && <SyncProgress progress={progress} queued={state === 'queued'} />}
        {notice?.tone === 'ok' && <p className="form-ok">{notice.text}</p>}
      </div>
      {notice?.tone === 'error' && (
        <p className="form-error" role="alert">
          {notice.text}
        </p>
      )}
      {!live && <p className="muted">Live progress is reconnecting…</p>}
      <h3 className="section-title">Sync history</h3>
      {runsError && (
        <div className="callout callout-error" role="alert">
          <p>Could not load the history: {runsError}</p>
          <button type="button" className="button" onClick={loadRuns}>
            Try again
          </button>
        </div>
      )}
      {runs === null && !runsError ? (
        <p role="status">Loading history…</p>
      ) : (
        runs && <ConnectorsRunHistory runs={runs} />
      )}
    </section>
  );
}

function SyncProgress({ progress, queued }: { progress: SyncProgressEvent | null; queued: boolean }) {
  if (queued) return <p>Waiting for a free sync slot…</p>;
  if (!progress) return <p>Syncing: reading the first page…</p>;
  const counts: [string, number][] = [
    ['Pages', progress.pages],
    ['Documents', progress.documents],
    ['Added', progress.added],
    ['Updated', progress.updated],
    ['Deleted', progress.deleted],
    ['Failed', progress.failed],
  ];
  return (
    <div className="progress">
      <p>{progress.phase === 'pruning' ? 'Removing documents deleted at the source…' : 'Syncing…'}</p>
      <dl className="counts" aria-label="Sync progress">
        {counts.map(([label, n]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

interface DeleteConfirmationProps {
  name: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}

function DeleteConfirmation({ name, busy, onCancel, onConfirm }: DeleteConfirmationProps) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="callout callout-error"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <p id={`${id}-title`} className="callout-title">
        Delete the connector “{name}”?
      </p>
      <p id={`${id}-body`}>
        Every document it brought in will be removed from the knowledge base, so answers stop citing them. Its
        sync history and stored credentials are deleted too. This cannot be undone.
      </p>
      <div className="form-actions">
        <button type="button" className="button" ref={cancel} onClick={onCancel}>
          Keep it
        </button>
        <button type="button" className="button button-danger-solid" disabled={busy} onClick={onConfirm}>
          {busy ? 'Deleting…' : 'Delete connector and its documents'}
        </button>
      </div>
    </div>
  );
}
