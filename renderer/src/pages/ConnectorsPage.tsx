import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import type { PageProps } from './PageProps.js';

/** The systems airdesk reads from and talks through. */
export function ConnectorsPage({ tenants }: PageProps) {
  return (
    <>
      <PageHeader
        title="Connectors"
        description="Links to the systems your knowledge and customers live in."
        tenantName={tenants.selected?.name}
      />
      <NoTenantNotice tenants={tenants} />
      <EmptyState title="No connectors configured">
        <p>
          Knowledge connectors will sync Confluence, SharePoint, Jira, Notion and file shares. CRM and
          ticketing connectors will bring in customer context and hand conversations over as tickets.
        </p>
        <p>Channel connectors will carry conversations from the web widget, email and chat tools.</p>
      </EmptyState>
    </>
  );
}
