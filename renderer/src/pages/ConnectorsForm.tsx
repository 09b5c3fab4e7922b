import { useId, useMemo, useState, type FormEvent } from 'react';
import type { ConnectorKindInfo, ConnectorView } from '../../../core/contract/console-api.js';
import { messageOf } from '../api.js';
import { addConnector, testConnection, updateConnector } from './ConnectorsApi.js';
import {
  formValues,
  readSettings,
  settingsFields,
  SettingsFieldInput,
  type FieldValue,
} from './ConnectorsSettingsFields.js';

interface ConnectorsFormProps {
  tenant: string;
  kinds: ConnectorKindInfo[];
  /** The connector being edited; absent: a new one. */
  connector?: ConnectorView;
  onSaved: (connector: ConnectorView) => void;
  onCancel: () => void;
}

/** A cron expression has 5 or 6 fields; the server checks the rest and its message is shown. */
function scheduleProblem(schedule: string): string | null {
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return null;
  return fields.length === 5 || fields.length === 6
    ? null
    : 'A cron expression has 5 fields (minute hour day month weekday), e.g. "0 * * * *" for every hour.';
}

/** The field a server message is about: `settings.path: …`, `name: …`, `schedule "…" …`. */
function fieldOfMessage(message: string): string | null {
  const settings = /^settings\.([\w-]+)/.exec(message);
  if (settings?.[1]) return settings[1];
  if (message.startsWith('name:')) return '#name';
  if (message.startsWith('schedule ')) return '#schedule';
  return null;
}

type TestState = { kind: 'idle' } | { kind: 'testing' } | { kind: 'ok' | 'failed'; message: string };

/** Adds or edits a connector: a form generated from the kind's settings schema, a schedule and a test. */
export function ConnectorsForm({ tenant, kinds, connector, onSaved, onCancel }: ConnectorsFormProps) {
  const editing = connector !== undefined;
  const available = kinds.filter((k) => k.available);
  const [kind, setKind] = useState(
    connector?.kind ?? available.find((k) => k.kind === 'folder')?.kind ?? available[0]?.kind ?? '',
  );
  const info = kinds.find((k) => k.kind === kind);
  const fields = useMemo(() => settingsFields(info?.settingsSchema ?? null), [info]);
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    formValues(settingsFields(info?.settingsSchema ?? null), connector?.settings ?? null),
  );
  const [name, setName] = useState(connector?.name ?? '');
  const [schedule, setSchedule] = useState(connector?.schedule ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<TestState>({ kind: 'idle' });
  const id = useId();
  const stored = connector?.storedSecrets ?? [];

  function chooseKind(next: string) {
    setKind(next);
    const nextInfo = kinds.find((k) => k.kind === next);
    setValues(formValues(settingsFields(nextInfo?.settingsSchema ?? null), null));
    setErrors({});
    setTest({ kind: 'idle' });
  }

  /** The form's settings, or null after marking the fields in error. */
  function collect(): Record<string, unknown> | null {
    const { settings, errors: found } = readSettings(fields, values, stored);
    if (!editing && name.trim() === '') found['#name'] = 'Give the connector a name.';
    const cron = scheduleProblem(schedule);
    if (cron) found['#schedule'] = cron;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('Check the highlighted fields.');
      return null;
    }
    setFormError(null);
    return settings;
  }

  function showServerError(error: unknown) {
    const message = messageOf(error);
    const field = fieldOfMessage(message);
    if (field && (field.startsWith('#') || fields.some((f) => f.name === field))) {
      setErrors({ [field]: message.replace(/^(settings\.[\w.-]+|name):\s*/, '') });
    }
    setFormError(message);
  }

  async function runTest() {
    const settings = collect();
    if (!settings) return;
    setTest({ kind: 'testing' });
    try {
      const result = await testConnection(tenant, kind, connector?.id ?? null, settings);
      setTest({ kind: 'ok', message: result.message });
    } catch (error) {
      setTest({ kind: 'failed', message: messageOf(error) });
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const settings = collect();
    if (!settings) return;
    setBusy(true);
    try {
      const saved = connector
        ? await updateConnector(tenant, connector.id, { settings, schedule: schedule.trim() || null })
        : await addConnector(tenant, {
            kind,
            name: name.trim(),
            settings,
            schedule: schedule.trim() || null,
          });
      onSaved(saved);
    } catch (error) {
      showServerError(error);
      setBusy(false);
    }
  }

  const title = editing ? `Edit ${connector.name}` : 'Add a connector';
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel-title">
        {title}
      </h2>
      {available.length === 0 ? (
        <p role="alert">No connector types could be loaded: {kinds.map((k) => k.error).join('; ')}</p>
      ) : (
        <form className="form" noValidate onSubmit={(e) => void submit(e)} aria-label={title}>
          <div className="form-grid">
            {editing ? (
              <p className="field">
                <span className="field-label">Type</span>
                <span>{info?.displayName ?? kind}</span>
              </p>
            ) : (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-kind`}>
                  Type
                </label>
                <select
                  id={`${id}-kind`}
                  className="select"
                  value={kind}
                  onChange={(e) => chooseKind(e.target.value)}
                >
                  {kinds.map((k) => (
                    <option key={k.kind} value={k.kind} disabled={!k.available}>
                      {k.displayName}
                      {k.available ? '' : ' (unavailable)'}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {editing ? (
              <p className="field">
                <span className="field-label">Name</span>
                <span>{connector.name}</span>
              </p>
            ) : (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-name`}>
                  Name
                </label>
                <input
                  id={`${id}-name`}
                  className="input"
                  autoComplete="off"
                  value={name}
                  aria-invalid={errors['#name'] !== undefined}
                  aria-describedby={`${id}-name-help${errors['#name'] ? ` ${id}-name-error` : ''}`}
                  onChange={(e) => setName(e.target.value)}
                />
                <span id={`${id}-name-help`} className="field-help">
                  Names the knowledge source in citations; it cannot change later.
                </span>
                {errors['#name'] && (
                  <span id={`${id}-name-error`} className="field-error">
                    {errors['#name']}
                  </span>
                )}
              </div>
            )}
          </div>
          <fieldset className="fieldset">
            <legend>Settings</legend>
            {fields.map((f) => (
              <SettingsFieldInput
                key={`${kind}.${f.name}`}
                field={f}
                value={values[f.name] ?? f.initial}
                error={errors[f.name]}
                secretStored={stored.includes(f.name)}
                onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
              />
            ))}
          </fieldset>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-schedule`}>
              Schedule (optional)
            </label>
            <input
              id={`${id}-schedule`}
              className="input input-mono"
              autoComplete="off"
              spellCheck={false}
              placeholder="*/30 * * * *"
              value={schedule}
              aria-invalid={errors['#schedule'] !== undefined}
              aria-describedby={`${id}-schedule-help${errors['#schedule'] ? ` ${id}-schedule-error` : ''}`}
              onChange={(e) => setSchedule(e.target.value)}
            />
            <span id={`${id}-schedule-help`} className="field-help">
              A cron expression in the server's time zone, e.g. <code>*/30 * * * *</code> every 30 minutes or{' '}
              <code>0 2 * * *</code> at 02:00. Empty: only when you click Sync now.
            </span>
            {errors['#schedule'] && (
              <span id={`${id}-schedule-error`} className="field-error">
                {errors['#schedule']}
              </span>
            )}
          </div>
          <div role="status" aria-live="polite" className="test-result">
            {test.kind === 'testing' && <p>Testing the connection…</p>}
            {test.kind === 'ok' && <p className="form-ok">{test.message}</p>}
          </div>
          {test.kind === 'failed' && (
            <p className="form-error" role="alert">
              {test.message}
            </p>
          )}
          {formError && (
            <p className="form-error" role="alert">
              {formError}
            </p>
          )}
          <div className="form-actions">
            <button type="button" className="button" onClick={onCancel}>
              Cancel
            </button>
            <button
              type="button"
              className="button"
              disabled={test.kind === 'testing'}
              onClick={() => void runTest()}
            >
              Test connection
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Saving…' : editing ? 'Save changes' : 'Add connector'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
