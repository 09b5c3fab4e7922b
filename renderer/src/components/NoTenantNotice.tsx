import type { TenantsState } from '../useTenants.js';

interface NoTenantNoticeProps {
  tenants: TenantsState;
}

/** Tells the user how to create the first tenant, or why the tenant list is unavailable. */
export function NoTenantNotice({ tenants }: NoTenantNoticeProps) {
  if (tenants.status === 'error') {
    return (
      <div className="callout callout-error" role="alert">
        <p>Could not load the tenants: {tenants.error}</p>
        <button type="button" className="button" onClick={tenants.reload}>
          Try again
        </button>
      </div>
    );
  }
  if (tenants.status !== 'ready' || tenants.tenants.length > 0) return null;
  return (
    <div className="callout" role="note">
      <p className="callout-title">No tenant yet</p>
      <p>
        Everything in airdesk belongs to a tenant: one customer, brand or department with its own knowledge
        and conversations. Create the first one with <strong>New tenant</strong> in the header, or on the
        server run <code>airdesk tenants create ID</code>.
      </p>
    </div>
  );
}
