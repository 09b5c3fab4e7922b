import { useEffect, useState } from 'react';
import type { EscalationQueue } from '../../../core/contract/desk-api.js';
import { messageOf } from '../api.js';
import { EmptyState } from '../components/EmptyState.js';
import { Link } from '../components/Link.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import { useDeskEvents, useThrottledTick } from '../desk/DeskEvents.js';
import { listEscalations } from '../desk/deskApi.js';
import { formatAge, priorityLabels, reasonLabels, statusLabels } from '../desk/format.js';
import { conversationPath } from '../navigation.js';
import { navigate } from '../router.js';
import type { PageProps } from './PageProps.js';

type Loaded =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; escalations: EscalationQueue['escalations']; at: number };

/** Conversations handed to a person: highest priority first, then the ones waiting longest. */
export function EscalationsPage({ tenants }: PageProps) {
  const tenant = tenants.selected;
  return (
    <>
      <PageHeader
        title="Escalations"
        description="Conversations that need a person, most urgent and longest waiting first."
        tenantName={tenant?.name}
      />
      <NoTenantNotice tenants={tenants} />
      {tenant ? (
        <EscalationQueueView key={tenant.id} tenant={tenant.id} />
      ) : (
        <EmptyState title="No escalations">
          <p>Conversations the assistant or an agent hands to a person will queue here, by priority.</p>
        </EmptyState>
      )}
    </>
  );
}

function EscalationQueueView({ tenant }: { tenant: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [tick, bump] = useThrottledTick(600);
  const [now, setNow] = useState(() => Date.now());
  const connected = useDeskEvents(bump);

  useEffect(() => {
    let current = true;
    listEscalations(tenant).then(
      (escalations) => {
        if (current) setLoaded({ status: 'ready', escalations, at: Date.now() });
      },
      (error: unknown) => {
        if (current) setLoaded({ status: 'error', message: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, tick]);

  // Ages keep counting between refetches.
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);

  if (loaded.status === 'loading') return <p role="status">Loading the escalations…</p>;
  if (loaded.status === 'error') {
    return (
      <div className="callout callout-error" role="alert">
        <p>Could not load the escalations: {loaded.message}</p>
        <button type="button" className="button" onClick={bump}>
          Try again
        </button>
      </div>
    );
  }
  const elapsed = Math.max(0, (now - loaded.at) / 1000);
  return (
    <>
      <p className="desk-live" role="status">
        <span className={`desk-live-dot ${connected ? 'is-live' : ''}`} aria-hidden="true" />
        {connected ? 'Live' : 'Connecting…'} · {loaded.escalations.length} waiting
      </p>
      {loaded.escalations.length === 0 ? (
        <EmptyState title="Nothing is escalated">
          <p>When the assistant or an agent hands a conversation to a person it queues here, by priority.</p>
        </EmptyState>
      ) : (
        <div className="panel-table">
          <table className="table desk-escalations">
            <thead>
              <tr>
                <th scope="col">Priority</th>
                <th scope="col">Conversation</th>
                <th scope="col">Reasons</th>
                <th scope="col">Waiting</th>
                <th scope="col">Assignee</th>
              </tr>
            </thead>
            <tbody>
              {loaded.escalations.map((escalation) => {
                const c = escalation.conversation;
                const path = conversationPath(c.id);
                return (
                  <tr key={escalation.id} className="desk-escalation-row" onClick={() => navigate(path)}>
                    <td>
                      <span className={`desk-pill desk-pill-${escalation.priority}`}>
                        {priorityLabels[escalation.priority]}
                      </span>
                    </td>
                    <td>
                      <Link
                        to={path}
                        className="desk-escalation-link"
                        onClick={(event) => event.stopPropagation()}
                      >
                        {c.visitorName ?? 'Visitor'}
                      </Link>
                      <span className="desk-escalation-text">{c.lastMessage?.text ?? ''}</span>
                      <span className="muted desk-escalation-status">{statusLabels[c.status]}</span>
                    </td>
                    <td>
                      {escalation.reasons.length > 0
                        ? escalation.reasons.map((r) => reasonLabels[r]).join(', ')
                        : 'Escalated by an agent'}
                    </td>
                    <td>{formatAge(escalation.ageSeconds + elapsed)}</td>
                    <td>{c.assignee ?? <span className="muted">Nobody yet</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
