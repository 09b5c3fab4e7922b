import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import type { PageProps } from './PageProps.js';

/** The documents airdesk answers from. */
export function KnowledgePage({ tenants }: PageProps) {
  return (
    <>
      <PageHeader
        title="Knowledge"
        description="The sources airdesk grounds its answers in."
        tenantName={tenants.selected?.name}
      />
      <NoTenantNotice tenants={tenants} />
      <EmptyState title="No knowledge sources yet">
        <p>
          Sources will be listed here: uploaded files, folders and connected systems, with the ingestion
          status of each (documents found, indexed and failed, and when it last ran).
        </p>
        <p>
          A search playground will let you ask a question and see which passages airdesk retrieves, before any
          customer does.
        </p>
      </EmptyState>
    </>
  );
}
