import { useState, type FormEvent } from 'react';

/**
 * Asks once for the name this browser's agent works under (kept in localStorage): assignments, notes and
 * replies carry it, and "Mine" in the inbox means conversations assigned to it.
 */
export function AgentNameForm({ onSave }: { onSave: (name: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    const name = value.trim();
    if (!name) return setError('Type the name colleagues know you by, for example "Dana".');
    if (name.length > 100) return setError('A name is at most 100 characters.');
    onSave(name);
  }

  return (
    <form className="panel desk-agent-form" onSubmit={submit} aria-labelledby="desk-agent-title">
      <h2 id="desk-agent-title" className="panel-title">
        Who is answering?
      </h2>
      <p className="muted">
        Your name marks the conversations you take, your replies and your notes. It is kept in this browser.
      </p>
      <div className="field">
        <label className="field-label" htmlFor="desk-agent-name">
          Your name
        </label>
        <input
          id="desk-agent-name"
          className="input"
          value={value}
          autoComplete="name"
          maxLength={100}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'desk-agent-error' : undefined}
          onChange={(event) => setValue(event.target.value)}
        />
        {error && (
          <p id="desk-agent-error" className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary">
          Start answering
        </button>
      </div>
    </form>
  );
}
