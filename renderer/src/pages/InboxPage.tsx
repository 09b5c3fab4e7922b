import { useEffect, useRef, useState } from 'react';
import type { ConversationList } from '../../../core/contract/desk-api.js';
import { messageOf } from '../api.js';
import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import { AgentNameForm } from '../desk/AgentNameForm.js';
import { useDeskEvents, useThrottledTick } from '../desk/DeskEvents.js';
import { listInbox } from '../desk/deskApi.js';
import { ShortcutHelp } from '../desk/ShortcutHelp.js';
import { useShortcuts } from '../desk/shortcuts.js';
import { useAgentName } from '../desk/useAgentName.js';
import { conversationIdOf, conversationPath } from '../navigation.js';
import { navigate, usePath } from '../router.js';
import { ConversationView } from './ConversationView.js';
import { InboxList, type InboxFilters } from './InboxList.js';
import type { PageProps } from './PageProps.js';

/** Conversations waiting for an agent, each with the AI's draft reply: the queue left, the conversation right. */
export function InboxPage({ tenants }: PageProps) {
  const tenant = tenants.selected;
  const agent = useAgentName();
  const openId = conversationIdOf(usePath());
  const header = (
    <PageHeader
      title="Inbox"
      description="Customer conversations and the replies airdesk drafts for them."
      tenantName={tenant?.name}
    />
  );
  if (!tenant) {
    return (
      <>
        {header}
        <NoTenantNotice tenants={tenants} />
        <InboxEmpty />
      </>
    );
  }
  if (!agent.name) {
    return (
      <>
        {header}
        <AgentNameForm onSave={agent.setName} />
      </>
    );
  }
  return (
    <>
      {header}
      <Desk
        key={tenant.id}
        tenant={tenant.id}
        agent={agent.name}
        openId={openId}
        onChangeAgent={agent.clear}
      />
    </>
  );
}

function InboxEmpty() {
  return (
    <EmptyState title="No conversations yet">
      <p>
        Conversations from the chat widget and your support channels will appear here. Each one comes with an
        AI draft reply, the citations it is grounded on and a confidence score.
      </p>
      <p>
        Agents approve a draft as it is, edit it before sending, or escalate the conversation to a person or
        team.
      </p>
    </EmptyState>
  );
}

type Loaded =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; list: ConversationList };

// Unresolved by default: every live event refetches the list, and the resolved pile only grows.
const initialFilters: InboxFilters = {
  status: 'unresolved',
  priority: 'all',
  assignment: 'all',
  unread: false,
};

interface DeskProps {
  tenant: string;
  agent: string;
  openId: string | null;
  onChangeAgent: () => void;
}

function Desk({ tenant, agent, openId, onChangeAgent }: DeskProps) {
  const [filters, setFilters] = useState(initialFilters);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [listTick, bumpList] = useThrottledTick(600);
  const [conversationTick, bumpConversation] = useThrottledTick(300);
  const [helpOpen, setHelpOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const openRef = useRef(openId);
  useEffect(() => {
    openRef.current = openId;
  });

  // Typing in the search box queries the server once the agent pauses, not on every key.
  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(search.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [search]);

  const connected = useDeskEvents((event) => {
    bumpList();
    const about =
      event.type === 'ready'
        ? null
        : event.type === 'escalation'
          ? event.data.escalation.conversationId
          : event.data.conversationId;
    if (event.type === 'ready' || about === openRef.current) bumpConversation();
  });

  useEffect(() => {
    let current = true;
    listInbox(tenant, {
      ...(filters.status !== 'all' ? { status: filters.status } : {}),
      ...(filters.priority !== 'all' ? { priority: filters.priority } : {}),
      assignment: filters.assignment,
      ...(filters.assignment === 'mine' || filters.assignment === 'others' ? { agent } : {}),
      ...(filters.unread ? { unread: 'true' as const } : {}),
      ...(query ? { q: query } : {}),
    }).then(
      (list) => {
        if (current) setLoaded({ status: 'ready', list });
      },
      (error: unknown) => {
        if (current) setLoaded({ status: 'error', message: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, agent, filters, query, listTick]);

  const conversations = loaded.status === 'ready' ? loaded.list.conversations : [];
  const step = (by: number) => {
    if (conversations.length === 0) return;
    const index = conversations.findIndex((c) => c.id === openId);
    const next = index === -1 ? 0 : Math.min(conversations.length - 1, Math.max(0, index + by));
    const target = conversations[next];
    if (target) navigate(conversationPath(target.id));
  };
  useShortcuts({
    next: () => step(1),
    previous: () => step(-1),
    search: () => searchRef.current?.focus(),
    help: () => setHelpOpen((open) => !open),
  });

  const counts = loaded.status === 'ready' ? loaded.list.counts : null;
  const total = counts ? counts.byStatus.open + counts.byStatus.pending_human + counts.byStatus.resolved : 0;
  const filtered =
    query !== '' ||
    filters.status !== initialFilters.status ||
    filters.priority !== 'all' ||
    filters.assignment !== 'all';

  return (
    <>
      <div className="desk-bar">
        <p className="desk-live" role="status">
          <span className={`desk-live-dot ${connected ? 'is-live' : ''}`} aria-hidden="true" />
          {connected ? 'Live' : 'Connecting…'}
        </p>
        {counts && counts.unread > 0 && <p className="desk-unread-total">{counts.unread} unread</p>}
        <p className="desk-agent">
          Answering as <strong>{agent}</strong>{' '}
          <button type="button" className="link-button" onClick={onChangeAgent}>
            change
          </button>
        </p>
        <button
          type="button"
          className="button"
          aria-keyshortcuts="Shift+?"
          onClick={() => setHelpOpen(true)}
        >
          Shortcuts <kbd>?</kbd>
        </button>
      </div>
      {loaded.status === 'error' && (
        <div className="callout callout-error" role="alert">
          <p>Could not load the conversations: {loaded.message}</p>
          <button type="button" className="button" onClick={bumpList}>
            Try again
          </button>
        </div>
      )}
      {loaded.status === 'ready' && total === 0 && !filtered ? (
        <InboxEmpty />
      ) : (
        <div className="desk-split">
          <InboxList
            conversations={conversations}
            counts={counts}
            loading={loaded.status === 'loading'}
            filters={filters}
            onFilters={setFilters}
            search={search}
            onSearch={setSearch}
            searchRef={searchRef}
            openId={openId}
            agent={agent}
          />
          {openId ? (
            <ConversationView
              key={openId}
              tenant={tenant}
              id={openId}
              agent={agent}
              tick={conversationTick}
              onChanged={bumpList}
            />
          ) : (
            <section className="desk-pane desk-placeholder" aria-label="Conversation">
              <p className="muted">
                Pick a conversation on the left, or press <kbd>j</kbd> to open the first one.
              </p>
            </section>
          )}
        </div>
      )}
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </>
  );
}
