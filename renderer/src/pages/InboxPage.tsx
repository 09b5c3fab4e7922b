import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import type { PageProps } from './PageProps.js';

/** Conversations waiting for an agent, each with the AI's draft reply. */
export function InboxPage({ tenants }: PageProps) {
  return (
    <>
      <PageHeader
        title="Inbox"
        description="Customer conversations and the replies airdesk drafts for them."
        tenantName={tenants.selected?.name}
      />
      <NoTenantNotice tenants={tenants} />
      <EmptyState title="No conversations yet">
        <p>
          Conversations from the chat widget and your support channels will appear here. Each one comes with
          an AI draft reply, the citations it is grounded on and a confidence score.
        </p>
        <p>
          Agents approve a draft as it is, edit it before sending, or escalate the conversation to a person or
          team.
        </p>
      </EmptyState>
    </>
  );
}
