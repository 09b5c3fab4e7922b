import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { WidgetKeyView } from '../../../core/contract/desk-api.js';
import { messageOf } from '../api.js';
import { formatTime } from '../pages/ConnectorsRunHistory.js';
import { revokeWidgetKey, saveWidgetKeyOrigins } from './api.js';
import { OriginsField } from './OriginsField.js';
import { parseOrigins } from './origins.js';

interface WidgetKeyRowProps {
  tenant: string;
  widgetKey: WidgetKeyView;
  onChanged: (key: WidgetKeyView) => void;
  onRevoked: () => void;
}

type Mode = 'view' | 'edit' | 'revoke';

/** One key of the table: its origins and dates, with editing its origins and revoking it (confirmed first). */
export function WidgetKeyRow({ tenant, widgetKey, onChanged, onRevoked }: WidgetKeyRowProps) {
  const [mode, setMode] = useState<Mode>('view');
  const revoked = widgetKey.revokedAt !== null;
  return (
    <>
      <tr>
        <td>
          <code>{widgetKey.id}</code>
        </td>
        <td>
          <ul className="origin-list">
            {widgetKey.origins.map((origin) => (
              <li key={origin}>{origin}</li>
            ))}
          </ul>
        </td>
        <td>
          <time dateTime={widgetKey.createdAt}>{formatTime(widgetKey.createdAt)}</time>
        </td>
        <td>
          {revoked ? (
            <span className="status status-failed">
              Revoked <time dateTime={widgetKey.revokedAt ?? ''}>{formatTime(widgetKey.revokedAt)}</time>
            </span>
          ) : (
            <span className="status status-succeeded">Active</span>
          )}
        </td>
        <td className="key-actions">
          {!revoked && mode === 'view' && (
            <>
              <button type="button" className="button" onClick={() => setMode('edit')}>
                Edit origins
              </button>
              <button type="button" className="button button-danger" onClick={() => setMode('revoke')}>
                Revoke…
              </button>
            </>
          )}
        </td>
      </tr>
      {mode !== 'view' && (
        <tr className="key-detail">
          <td colSpan={5}>
            {mode === 'edit' ? (
              <EditOrigins
                tenant={tenant}
                widgetKey={widgetKey}
                onCancel={() => setMode('view')}
                onSaved={(key) => {
                  setMode('view');
                  onChanged(key);
                }}
              />
            ) : (
              <RevokeConfirmation
                tenant={tenant}
                widgetKey={widgetKey}
                onCancel={() => setMode('view')}
                onRevoked={onRevoked}
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

interface EditOriginsProps {
  tenant: string;
  widgetKey: WidgetKeyView;
  onCancel: () => void;
  onSaved: (key: WidgetKeyView) => void;
}

function EditOrigins({ tenant, widgetKey, onCancel, onSaved }: EditOriginsProps) {
  const id = useId();
  const [text, setText] = useState(widgetKey.origins.join('\n'));
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseOrigins(text);
    setProblems(parsed.problems);
    if (parsed.problems.length > 0) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await saveWidgetKeyOrigins(tenant, widgetKey.id, parsed.origins));
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  }

  return (
    <form
      className="form"
      noValidate
      aria-label={`Origins of key ${widgetKey.id}`}
      onSubmit={(e) => void submit(e)}
    >
      <OriginsField id={`${id}-origins`} value={text} problems={problems} onChange={setText} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save origins'}
        </button>
      </div>
    </form>
  );
}

interface RevokeConfirmationProps {
  tenant: string;
  widgetKey: WidgetKeyView;
  onCancel: () => void;
  onRevoked: () => void;
}

function RevokeConfirmation({ tenant, widgetKey, onCancel, onRevoked }: RevokeConfirmationProps) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => cancel.current?.focus(), []);

  async function revoke() {
    setBusy(true);
    setError(null);
    try {
      await revokeWidgetKey(tenant, widgetKey.id);
      onRevoked();
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  }

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
        Revoke the widget key {widgetKey.id}?
      </p>
      <p id={`${id}-body`}>
        Pages that embed it ({widgetKey.origins.join(', ')}) stop getting answers at once: their widget says
        the chat is not available. A revoked key cannot be used again; create a new one to replace it.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" ref={cancel} onClick={onCancel}>
          Keep it
        </button>
        <button
          type="button"
          className="button button-danger-solid"
          disabled={busy}
          onClick={() => void revoke()}
        >
          {busy ? 'Revoking…' : 'Revoke key'}
        </button>
      </div>
    </div>
  );
}
