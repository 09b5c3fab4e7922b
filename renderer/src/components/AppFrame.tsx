import { useEffect, useRef, useState } from 'react';
import type { SessionInfo } from '../../../core/contract/console-api.js';
import { messageOf } from '../api.js';
import { sectionOf } from '../navigation.js';
import { usePath } from '../router.js';
import { useTenants } from '../useTenants.js';
import { Brand } from './Brand.js';
import { CurrentPage } from './CurrentPage.js';
import { SideNav } from './SideNav.js';
import { TenantSwitcher } from './TenantSwitcher.js';

interface AppFrameProps {
  session: SessionInfo;
  onSignOut: () => Promise<void>;
}

/** The signed-in console: header with tenant switcher and sign-out, section navigation, the current page. */
export function AppFrame({ session, onSignOut }: AppFrameProps) {
  const path = usePath();
  const section = sectionOf(path);
  const tenants = useTenants();
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(path);

  // After moving between sections, put keyboard and screen-reader focus on the new page, not the old link.
  useEffect(() => {
    if (path !== firstPath.current) mainRef.current?.focus();
  }, [path]);

  function signOut() {
    setSignOutError(null);
    onSignOut().catch((error: unknown) => setSignOutError(messageOf(error)));
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Brand />
        <div className="header-tools">
          <TenantSwitcher tenants={tenants} />
          <button type="button" className="button" onClick={signOut}>
            Sign out
          </button>
        </div>
        {signOutError && (
          <p className="header-error" role="alert">
            Could not sign out: {signOutError}
          </p>
        )}
      </header>
      <div className="app-body">
        <SideNav current={section} session={session} />
        <main id="main" className="app-main" tabIndex={-1} ref={mainRef}>
          <CurrentPage section={section} tenants={tenants} />
        </main>
      </div>
    </div>
  );
}
