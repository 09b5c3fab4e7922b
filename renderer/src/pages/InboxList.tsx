import type { RefObject } from 'react';
import { conversationStatuses, priorities, type Priority } from '../../../core/contract/conversation.js';
import type { ConversationSummary, InboxCounts } from '../../../core/contract/desk-api.js';
import { Link } from '../components/Link.js';
import type { InboxStatus } from '../desk/deskApi.js';
import { formatRelative, priorityLabels, statusLabels } from '../desk/format.js';
import { shortcuts } from '../desk/shortcuts.js';
import { conversationPath } from '../navigation.js';

export interface InboxFilters {
  status: InboxStatus;
  priority: Priority | 'all';
  assignment: 'all' | 'mine' | 'others' | 'unassigned';
  unread: boolean;
}

/** Unresolved first: it is the default view, the conversations that still need the desk. */
const statusTabs = ['unresolved', ...conversationStatuses, 'all'] as const;
const statusTabLabels = { ...statusLabels, unresolved: 'Unresolved', all: 'All' } as const;

const assignmentLabels = { all: 'All', mine: 'Mine', others: 'Others', unassigned: 'Unassigned' } as const;

interface InboxListProps {
  conversations: ConversationSummary[];
  counts: InboxCounts | null;
  loading: boolean;
  filters: InboxFilters;
  onFilters: (filters: InboxFilters) => void;
  search: string;
  onSearch: (search: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  openId: string | null;
  agent: string;
}

/** The queue: status tabs with counts, priority / assignment / unread filters, search, and the rows. */
export function InboxList(props: InboxListProps) {
  const { conversations, counts, loading, filters, onFilters, search, onSearch, searchRef, openId, agent } =
    props;
  const set = (change: Partial<InboxFilters>) => onFilters({ ...filters, ...change });
  const statusCount = (status: (typeof statusTabs)[number]) => {
    if (!counts) return null;
    const { byStatus } = counts;
    if (status === 'unresolved') return byStatus.open + byStatus.pending_human;
    return status === 'all' ? byStatus.open + byStatus.pending_human + byStatus.resolved : byStatus[status];
  };

  return (
    <section className="desk-pane desk-queue" aria-label="Conversations">
      <div className="desk-tabs" role="group" aria-label="Status">
        {statusTabs.map((status) => (
          <button
            key={status}
            type="button"
            className="desk-tab"
            aria-pressed={filters.status === status}
            onClick={() => set({ status })}
          >
            {statusTabLabels[status]}
            {statusCount(status) !== null && <span className="desk-count">{statusCount(status)}</span>}
          </button>
        ))}
      </div>
      <div className="desk-filters">
        <label className="visually-hidden" htmlFor="desk-search">
          Search conversations
        </label>
        <input
          id="desk-search"
          ref={searchRef}
          className="input"
          type="search"
          placeholder="Search names and messages  ( / )"
          aria-keyshortcuts={shortcuts.search.aria}
          value={search}
          onChange={(event) => onSearch(event.target.value)}
        />
        <div className="desk-filter-row">
          <label className="visually-hidden" htmlFor="desk-priority">
            Filter by priority
          </label>
          <select
            id="desk-priority"
            className="select desk-select"
            value={filters.priority}
            onChange={(event) => set({ priority: event.target.value as InboxFilters['priority'] })}
          >
            <option value="all">Any priority</option>
            {priorities.map((priority) => (
              <option key={priority} value={priority}>
                {priorityLabels[priority]}
                {counts ? ` (${counts.byPriority[priority]})` : ''}
              </option>
            ))}
          </select>
          <label className="check">
            <input
              type="checkbox"
              checked={filters.unread}
              onChange={(event) => set({ unread: event.target.checked })}
            />
            Unread{counts ? ` (${counts.unread})` : ''}
          </label>
        </div>
        <div className="desk-segmented" role="group" aria-label="Assigned to">
          {(Object.keys(assignmentLabels) as (keyof typeof assignmentLabels)[]).map((assignment) => (
            <button
              key={assignment}
              type="button"
              aria-pressed={filters.assignment === assignment}
              onClick={() => set({ assignment })}
            >
              {assignmentLabels[assignment]}
            </button>
          ))}
        </div>
      </div>
      {conversations.length === 0 ? (
        <p className="desk-list-empty muted" role="status">
          {loading ? 'Loading conversations…' : 'No conversation matches these filters.'}
        </p>
      ) : (
        <ul className="desk-rows" aria-label="Conversation list">
          {conversations.map((conversation) => (
            <InboxRow
              key={conversation.id}
              conversation={conversation}
              open={conversation.id === openId}
              agent={agent}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

const lastRoleLabels = { visitor: '', assistant: 'AI: ', agent: 'Agent: ', system: '' } as const;

function InboxRow({
  conversation: c,
  open,
  agent,
}: {
  conversation: ConversationSummary;
  open: boolean;
  agent: string;
}) {
  const name = c.visitorName ?? 'Visitor';
  return (
    <li>
      <Link
        to={conversationPath(c.id)}
        className={`desk-row ${c.unread > 0 ? 'is-unread' : ''}`}
        aria-current={open ? 'true' : undefined}
        data-conversation={c.id}
      >
        <span className="desk-row-top">
          <span className="desk-row-name">{name}</span>
          {c.priority && (
            <span className={`desk-pill desk-pill-${c.priority}`}>{priorityLabels[c.priority]}</span>
          )}
          {c.unread > 0 && (
            <span className="desk-unread">
              {c.unread}
              <span className="visually-hidden"> unread</span>
            </span>
          )}
          <time className="desk-row-time" dateTime={c.updatedAt}>
            {formatRelative(c.updatedAt)}
          </time>
        </span>
        <span className="desk-row-text">
          {c.lastMessage ? lastRoleLabels[c.lastMessage.role] + c.lastMessage.text : 'No messages yet'}
        </span>
        <span className="desk-row-meta">
          <span>{statusLabels[c.status]}</span>
          <span>
            {c.assignee
              ? c.assignee === agent
                ? 'Assigned to you'
                : `Assigned to ${c.assignee}`
              : 'Unassigned'}
          </span>
          {c.hasDraft && <span className="desk-draft-marker">Draft ready</span>}
        </span>
      </Link>
    </li>
  );
}
