import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { CreatedWidgetKey, WidgetKeyView } from '../../../core/contract/desk-api.js';
import { messageOf } from '../api.js';
import { createWidgetKey, listWidgetKeys } from './api.js';
import { CopyButton } from './CopyButton.js';
import { OriginsField } from './OriginsField.js';
import { parseOrigins } from './origins.js';
import { defaultWidgetBase, embedSnippet, widgetOrigin, type WidgetTheme } from './snippet.js';
import { WidgetKeyRow } from './WidgetKeyRow.js';

interface WidgetKeysPanelProps {
  tenant: string;
  widgetBase: string;
  onWidgetBaseChange: (base: string) => void;
  theme: WidgetTheme;
  /** A key was created (the theme editor's snippet shows it too), or null once the admin has copied it. */
  onCreated: (key: string | null) => void;
}

type Loaded =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; keys: WidgetKeyView[] };

/** The tenant's publishable widget keys: list, create for some origins, edit origins, revoke. */
export function WidgetKeysPanel(props: WidgetKeysPanelProps) {
  const { tenant, widgetBase, onWidgetBaseChange, theme, onCreated } = props;
  const id = useId();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const [created, setCreated] = useState<CreatedWidgetKey | null>(null);

  useEffect(() => {
    let current = true;
    listWidgetKeys(tenant).then(
      (keys) => {
        if (current) setLoaded({ status: 'ready', keys });
      },
      (error: unknown) => {
        if (current) setLoaded({ status: 'error', message: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, generation]);

  const replace = (key: WidgetKeyView) =>
    setLoaded((old) =>
      old.status === 'ready' ? { ...old, keys: old.keys.map((k) => (k.id === key.id ? key : k)) } : old,
    );

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel-title">
        Widget keys
      </h2>
      <p className="muted">
        A publishable key (<code>pk_…</code>) lets the chat widget on an intranet page talk to this
        tenant&apos;s desk. It only works from the origins you allow, so it is safe in a page&apos;s source.
      </p>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-base`}>
          Widget server address
        </label>
        <input
          id={`${id}-base`}
          className="input input-mono"
          spellCheck={false}
          value={widgetBase}
          aria-invalid={widgetOrigin(widgetBase) === null}
          aria-describedby={`${id}-base-help`}
          onChange={(e) => onWidgetBaseChange(e.target.value)}
        />
        <span id={`${id}-base-help`} className="field-help">
          Where visitors&apos; browsers reach the widget listener (
          <code>airdesk serve --widget-host … --widget-port …</code>), e.g.{' '}
          <code>https://desk.example.com</code>. Only used to write the snippets.
          {widgetOrigin(widgetBase) === null &&
            ` Not an http(s) address: the snippets use ${defaultWidgetBase}.`}
        </span>
      </div>
      {loaded.status === 'loading' && <p role="status">Loading widget keys…</p>}
      {loaded.status === 'error' && (
        <div className="callout callout-error" role="alert">
          <p>Could not load the widget keys: {loaded.message}</p>
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {loaded.status === 'ready' &&
        (loaded.keys.length === 0 ? (
          <p className="muted">No widget keys yet: create one below to embed the widget.</p>
        ) : (
          <table className="table panel-table">
            <caption className="visually-hidden">Widget keys of this tenant</caption>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Allowed origins</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {loaded.keys.map((key) => (
                <WidgetKeyRow
                  key={key.id}
                  tenant={tenant}
                  widgetKey={key}
                  onChanged={replace}
                  onRevoked={reload}
                />
              ))}
            </tbody>
          </table>
        ))}
      {created ? (
        <CreatedKey
          created={created}
          snippet={embedSnippet(widgetBase, created.key, theme)}
          onDone={() => {
            setCreated(null);
            onCreated(null);
          }}
        />
      ) : (
        <CreateKeyForm
          tenant={tenant}
          onCreated={(key) => {
            setCreated(key);
            onCreated(key.key);
            reload();
          }}
        />
      )}
    </section>
  );
}

function CreateKeyForm({
  tenant,
  onCreated,
}: {
  tenant: string;
  onCreated: (key: CreatedWidgetKey) => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
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
      onCreated(await createWidgetKey(tenant, parsed.origins));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" noValidate aria-label="Create a widget key" onSubmit={(e) => void submit(e)}>
      <h3 className="section-title">Create a widget key</h3>
      <OriginsField id={`${id}-origins`} value={text} problems={problems} onChange={setText} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

interface CreatedKeyProps {
  created: CreatedWidgetKey;
  snippet: string;
  onDone: () => void;
}

/** The new key, shown this once (only its hash is kept), with the tag to paste into the intranet page. */
function CreatedKey({ created, snippet, onDone }: CreatedKeyProps) {
  const id = useId();
  return (
    <div className="callout created-key" role="region" aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="callout-title">
        New widget key for {created.origins.join(', ')}
      </p>
      <p>Copy it now: this is the only time airdesk shows it. If it is lost, revoke it and create another.</p>
      <div className="copy-row">
        <code className="secret" aria-label="New widget key">
          {created.key}
        </code>
        <CopyButton text={created.key} label="Copy key" />
      </div>
      <p>Paste this into the pages that show the widget (the look comes from Widget appearance below):</p>
      <pre className="snippet" aria-label="Embed snippet">
        {snippet}
      </pre>
      <div className="form-actions">
        <CopyButton text={snippet} label="Copy snippet" />
        <button type="button" className="button button-primary" onClick={onDone}>
          Done, I have copied it
        </button>
      </div>
    </div>
  );
}
