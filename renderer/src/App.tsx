import { useCallback, useEffect, useState } from 'react';
import type { SessionInfo } from '../../core/contract/console-api.js';
import { getSession, messageOf, onUnauthorized, signOut } from './api.js';
import { AppFrame } from './components/AppFrame.js';
import { StatusScreen } from './components/StatusScreen.js';
import { SignInPage } from './pages/SignInPage.js';

type SessionState =
  | { kind: 'checking' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'signed-in'; session: SessionInfo };

/** The console: the sign-in page until there is a session, then the app frame. */
export function App() {
  const [state, setState] = useState<SessionState>({ kind: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    getSession().then(
      (session) => {
        if (!current) return;
        setState(session ? { kind: 'signed-in', session } : { kind: 'signed-out', notice: null });
      },
      (error: unknown) => {
        if (current) setState({ kind: 'unreachable', message: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  useEffect(
    () =>
      onUnauthorized(() =>
        setState({ kind: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' }),
      ),
    [],
  );

  const handleSignOut = useCallback(async () => {
    await signOut();
    setState({ kind: 'signed-out', notice: null });
  }, []);

  switch (state.kind) {
    case 'checking':
      return <StatusScreen title="Connecting to airdesk…" />;
    case 'unreachable':
      return (
        <StatusScreen
          title="The airdesk server is not answering"
          message={state.message}
          onRetry={() => {
            setState({ kind: 'checking' });
            setAttempt((n) => n + 1);
          }}
        />
      );
    case 'signed-out':
      return (
        <SignInPage
          notice={state.notice}
          onSignedIn={(session) => setState({ kind: 'signed-in', session })}
        />
      );
    case 'signed-in':
      return <AppFrame session={state.session} onSignOut={handleSignOut} />;
  }
}
