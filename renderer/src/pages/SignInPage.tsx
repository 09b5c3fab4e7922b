import { useId, useState, type FormEvent } from 'react';
import type { SessionInfo } from '../../../core/contract/console-api.js';
import { messageOf, signIn } from '../api.js';
import { Brand } from '../components/Brand.js';
import { tokenFrom } from '../token.js';

interface SignInPageProps {
  /** Why the user is here again, e.g. an expired session. */
  notice: string | null;
  onSignedIn: (session: SessionInfo) => void;
}

/** The sign-in page: paste the console token. */
export function SignInPage({ notice, onSignedIn }: SignInPageProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const helpId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = tokenFrom(token);
    if (value === '') {
      setError('Paste the console token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(value));
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <div className="card sign-in-card">
        <Brand />
        <h1 className="sign-in-title">Sign in to the console</h1>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <form
          className="form"
          onSubmit={(event) => {
            void submit(event);
          }}
          noValidate
        >
          <label className="field">
            <span className="field-label">Console token</span>
            <input
              className="input"
              type="password"
              name="token"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={helpId}
              aria-invalid={error !== null}
              value={token}
              onChange={(event) => setToken(event.target.value)}
              autoFocus
            />
          </label>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button button-primary button-wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <div id={helpId} className="help">
          <p>
            <code>airdesk serve</code> prints the console URL when it starts; the token is the part after{' '}
            <code>?token=</code>. Open that URL to sign in directly, or paste the token (or the whole URL)
            here.
          </p>
          <p>
            An administrator can also fix the token with the <code>AIRDESK_CONSOLE_TOKEN</code> environment
            variable before starting the server.
          </p>
        </div>
      </div>
    </main>
  );
}
