import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import type { PageProps } from './PageProps.js';

/** How good the answers are, and whether a change makes them worse. */
export function QualityPage({ tenants }: PageProps) {
  return (
    <>
      <PageHeader
        title="Quality"
        description="Measure answer quality and catch regressions before they reach customers."
        tenantName={tenants.selected?.name}
      />
      <NoTenantNotice tenants={tenants} />
      <EmptyState title="No evaluation runs yet">
        <p>
          Evaluation runs against your test questions will be listed here, with regression gates that stop a
          change to models, prompts or sources that scores worse, and A/B tests between two set-ups.
        </p>
        <p>
          QA review of sent answers and metrics such as deflection, accuracy and response time will follow.
        </p>
      </EmptyState>
    </>
  );
}
