import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import { TenantTable } from '../components/TenantTable.js';
import type { PageProps } from './PageProps.js';

/** Administration: tenants today; keys, roles, SSO and the audit log to come. */
export function SettingsPage({ tenants }: PageProps) {
  return (
    <>
      <PageHeader title="Settings" description="Administration of this airdesk installation." />
      <section className="panel" aria-labelledby="settings-tenants">
        <h2 id="settings-tenants" className="panel-title">
          Tenants
        </h2>
        <NoTenantNotice tenants={tenants} />
        {tenants.status === 'loading' && <p role="status">Loading tenants…</p>}
        {tenants.tenants.length > 0 && (
          <TenantTable tenants={tenants.tenants} selectedId={tenants.selected?.id} />
        )}
      </section>
      <EmptyState title="More settings are on the way">
        <p>
          Widget keys for embedding the chat widget, roles and permissions for agents, single sign-on (SSO)
          and the audit log of every administrative action will be managed here.
        </p>
      </EmptyState>
    </>
  );
}
