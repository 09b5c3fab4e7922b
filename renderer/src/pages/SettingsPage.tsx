import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import { TenantTable } from '../components/TenantTable.js';
import { TenantSettings } from '../settings/TenantSettings.js';
import type { PageProps } from './PageProps.js';

/** Administration: tenants, and the selected tenant's widget keys, answering and widget look. */
export function SettingsPage({ tenants }: PageProps) {
  const tenant = tenants.selected;
  return (
    <>
      <PageHeader
        title="Settings"
        description="Administration of this airdesk installation."
        tenantName={tenant?.name}
      />
      <section className="panel" aria-labelledby="settings-tenants">
        <h2 id="settings-tenants" className="panel-title">
          Tenants
        </h2>
        <NoTenantNotice tenants={tenants} />
        {tenants.status === 'loading' && <p role="status">Loading tenants…</p>}
        {tenants.tenants.length > 0 && <TenantTable tenants={tenants.tenants} selectedId={tenant?.id} />}
      </section>
      {tenant ? (
        <TenantSettings key={tenant.id} tenant={tenant.id} />
      ) : (
        <EmptyState title="Desk settings need a tenant">
          <p>
            Widget keys for embedding the chat widget, roles and permissions for agents, single sign-on (SSO)
            and the audit log will all live on this page. Widget keys, how the AI answers visitors and the
            widget&apos;s look are here now, set per tenant: create or pick a tenant first.
          </p>
        </EmptyState>
      )}
    </>
  );
}
