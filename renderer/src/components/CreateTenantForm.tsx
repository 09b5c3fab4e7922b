import { useId, useState, type FormEvent } from 'react';
import { createTenantSchema, type CreateTenantInput, type Tenant } from '../../../core/contract/tenant.js';
import { messageOf } from '../api.js';

interface CreateTenantFormProps {
  onCreate: (input: CreateTenantInput) => Promise<Tenant>;
  /** Called after a tenant was created, or when the user cancels. */
  onDone: () => void;
}

/** Creates a tenant: the id is checked against the contract's schema before the server sees it. */
export function CreateTenantForm({ onCreate, onDone }: CreateTenantFormProps) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idHelp = useId();
  const errorId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = createTenantSchema.safeParse({ id: id.trim(), name: name.trim() || undefined });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Check the tenant id and name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onCreate(parsed.data);
      onDone();
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  }

  return (
    <form
      className="form"
      noValidate
      onSubmit={(event) => {
        void submit(event);
      }}
    >
      <label className="field">
        <span className="field-label">Tenant id</span>
        <input
          className="input"
          name="id"
          autoComplete="off"
          spellCheck={false}
          placeholder="acme"
          value={id}
          aria-describedby={error ? `${idHelp} ${errorId}` : idHelp}
          aria-invalid={error !== null}
          onChange={(event) => setId(event.target.value)}
          autoFocus
        />
        <span id={idHelp} className="field-help">
          Lowercase letters, digits and inner hyphens; it names the tenant's data folder and cannot change.
        </span>
      </label>
      <label className="field">
        <span className="field-label">Display name (optional)</span>
        <input
          className="input"
          name="name"
          autoComplete="off"
          placeholder="Acme Corp"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      {error && (
        <p id={errorId} className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create tenant'}
        </button>
      </div>
    </form>
  );
}
