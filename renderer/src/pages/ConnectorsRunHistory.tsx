import type { SyncRun } from '../../../core/contract/connector.js';

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function duration(run: SyncRun): string {
  if (!run.finishedAt) return 'running';
  const s = Math.max(0, Math.round((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const statusLabel: Record<SyncRun['status'], string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function RunStatus({ status }: { status: SyncRun['status'] }) {
  return <span className={`status status-${status}`}>{statusLabel[status]}</span>;
}

/** The sync history of a connector, newest first; each run's per-item failures open with their reasons. */
export function ConnectorsRunHistory({ runs }: { runs: SyncRun[] }) {
  if (runs.length === 0) return <p className="muted">No syncs yet. Click Sync now to read the source.</p>;
  return (
    <table className="table">
      <caption className="visually-hidden">Sync history, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col">Took</th>
          <th scope="col">Added</th>
          <th scope="col">Updated</th>
          <th scope="col">Deleted</th>
          <th scope="col">Failed</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <RunRow key={run.id} run={run} />
        ))}
      </tbody>
    </table>
  );
}

function RunRow({ run }: { run: SyncRun }) {
  const details = run.failures.length > 0 || run.error;
  return (
    <>
      <tr>
        <td>
          <time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time>
        </td>
        <td>
          <RunStatus status={run.status} />
        </td>
        <td>{duration(run)}</td>
        <td>{run.added}</td>
        <td>{run.updated}</td>
        <td>{run.deleted}</td>
        <td>{run.failures.length}</td>
      </tr>
      {details && (
        <tr className="run-details">
          <td colSpan={7}>
            {run.error && <p className="run-error">Error: {run.error}</p>}
            {run.failures.length > 0 && (
              <details>
                <summary>
                  {run.failures.length} item{run.failures.length === 1 ? '' : 's'} failed — show why
                </summary>
                <ul className="failures">
                  {run.failures.map((f, i) => (
                    <li key={`${f.externalId ?? ''}-${i}`}>
                      {f.externalId && <code>{f.externalId}</code>} {f.message}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
