import {
  priorities,
  type Citation,
  type ConversationStatus,
  type Message,
  type MessageRole,
  type Priority,
} from '../../contract/conversation.js';
import type { ConversationSummary, InboxCounts } from '../../contract/desk-api.js';
import type { InboxFilter } from '../../contract/store.js';
import type { Db } from './open-database.js';

/**
 * The agent inbox in one query over the tenant's file: each conversation with the priority of its active (open
 * or assigned) escalation, its unread visitor messages (after the agent's read marker), whether a pending AI
 * draft waits, and its last message. Cheap filters (status, assignment, search) narrow the conversations before
 * the per-row lookups; priority and unread filter the computed columns.
 */

interface SummaryRow {
  id: string;
  channel: string;
  status: ConversationStatus;
  visitor_name: string | null;
  assignee: string | null;
  created_at: string;
  updated_at: string;
  priority_rank: number | null;
  unread: number;
  has_draft: number;
  last_role: MessageRole | null;
  last_text: string | null;
  last_at: string | null;
}

/** urgent 0 … low 3, as SQL; conversations without an active escalation sort after (4). */
const rankSql = `CASE priority ${priorities.map((p, i) => `WHEN '${p}' THEN ${i}`).join(' ')} END`;

const unreadSql = `(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.role = 'visitor'
  AND (c.agent_read_at IS NULL OR m.created_at > c.agent_read_at))`;

function summarySql(where: string): string {
  return `
    WITH active AS (
      SELECT conversation_id, min(${rankSql}) AS prank FROM escalations
      WHERE status IN ('open', 'assigned') GROUP BY conversation_id
    ),
    summary AS (
      SELECT c.id, c.channel, c.status, json_extract(c.visitor, '$.name') AS visitor_name, c.assignee,
        c.created_at, c.updated_at, a.prank AS priority_rank, ${unreadSql} AS unread,
        EXISTS (SELECT 1 FROM agent_drafts d WHERE d.conversation_id = c.id AND d.status = 'pending') AS has_draft,
        lm.role AS last_role, lm.text AS last_text, lm.created_at AS last_at
      FROM conversations c
      LEFT JOIN active a ON a.conversation_id = c.id
      LEFT JOIN messages lm ON lm.conversation_id = c.id
        AND lm.seq = (SELECT max(seq) FROM messages WHERE conversation_id = c.id)
      ${where}
    )
    SELECT * FROM summary`;
}

const toSummary = (r: SummaryRow): ConversationSummary => ({
  id: r.id,
  channel: r.channel,
  status: r.status,
  visitorName: r.visitor_name,
  priority: r.priority_rank === null ? null : (priorities[r.priority_rank] ?? null),
  assignee: r.assignee,
  unread: r.unread,
  hasDraft: r.has_draft === 1,
  lastMessage:
    r.last_role === null ? null : { role: r.last_role, text: r.last_text ?? '', createdAt: r.last_at ?? '' },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** `%` and `_` in the search are literal characters, not wildcards. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function inboxRows(db: Db, filter: InboxFilter = {}): ConversationSummary[] {
  const inner: string[] = [];
  const params: (string | number)[] = [];
  if (filter.status !== undefined) {
    inner.push('c.status = ?');
    params.push(filter.status);
  }
  const assignment = filter.assignment ?? 'all';
  if (assignment === 'unassigned') inner.push('c.assignee IS NULL');
  if (assignment === 'mine' || assignment === 'others') {
    inner.push(assignment === 'mine' ? 'c.assignee = ?' : 'c.assignee IS NOT NULL AND c.assignee != ?');
    params.push(filter.agent ?? '');
  }
  if (filter.q) {
    inner.push(`(json_extract(c.visitor, '$.name') LIKE ? ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM messages s WHERE s.conversation_id = c.id AND s.text LIKE ? ESCAPE '\\'))`);
    params.push(likePattern(filter.q), likePattern(filter.q));
  }
  const outer: string[] = [];
  if (filter.priority !== undefined) {
    outer.push('priority_rank = ?');
    params.push(priorities.indexOf(filter.priority));
  }
  if (filter.unread !== undefined) outer.push(filter.unread ? 'unread > 0' : 'unread = 0');
  const sql = `${summarySql(inner.length ? `WHERE ${inner.join(' AND ')}` : '')}
    ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}
    ORDER BY coalesce(priority_rank, ${priorities.length}), updated_at DESC, id LIMIT ?`;
  return db
    .prepare<(string | number)[], SummaryRow>(sql)
    .all(...params, filter.limit ?? 100)
    .map(toSummary);
}

export function inboxRow(db: Db, id: string): ConversationSummary | null {
  const row = db.prepare<[string], SummaryRow>(summarySql('WHERE c.id = ?')).get(id);
  return row ? toSummary(row) : null;
}

export function inboxCounts(db: Db): InboxCounts {
  const byStatus = { open: 0, pending_human: 0, resolved: 0 };
  for (const r of db
    .prepare<[], { status: ConversationStatus; n: number }>(
      'SELECT status, count(*) AS n FROM conversations GROUP BY status',
    )
    .all())
    byStatus[r.status] = r.n;
  const byPriority: Record<Priority, number> = { urgent: 0, high: 0, medium: 0, low: 0 };
  // A conversation counts once, under the highest priority of its active escalations.
  for (const r of db
    .prepare<[], { prank: number; n: number }>(
      `SELECT prank, count(*) AS n FROM (
         SELECT e.conversation_id, min(${rankSql}) AS prank FROM escalations e
         JOIN conversations c ON c.id = e.conversation_id
         WHERE e.status IN ('open', 'assigned') AND c.status != 'resolved' GROUP BY e.conversation_id
       ) GROUP BY prank`,
    )
    .all()) {
    const priority = priorities[r.prank];
    if (priority) byPriority[priority] = r.n;
  }
  const { n: unread } = db
    .prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM conversations c WHERE c.status != 'resolved' AND EXISTS (
         SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.role = 'visitor'
           AND (c.agent_read_at IS NULL OR m.created_at > c.agent_read_at))`,
    )
    .get()!;
  return { byStatus, byPriority, unread };
}

interface UndraftedRow {
  id: string;
  conversation_id: string;
  text: string;
  citations: string;
  created_at: string;
}

/**
 * The latest visitor message of each unresolved conversation that nobody answered: no agent or assistant message
 * after it (a system notice such as the handoff line is not an answer) and no draft of any status for it (a
 * discarded draft means an agent already dealt with it). A conversation's updated_at is at least its last
 * message's time, so the `since` bound on it narrows the scan to recent conversations through its index.
 */
export function undraftedVisitorMessages(
  db: Db,
  { since, limit, conversationId }: { since: string; limit: number; conversationId?: string },
): Message[] {
  const params: (string | number)[] = [since, since];
  if (conversationId !== undefined) params.push(conversationId);
  const sql = `
    SELECT m.id, m.conversation_id, m.text, m.citations, m.created_at
    FROM conversations c
    JOIN messages m ON m.conversation_id = c.id
      AND m.seq = (SELECT max(v.seq) FROM messages v WHERE v.conversation_id = c.id AND v.role = 'visitor')
    WHERE c.status != 'resolved' AND c.updated_at >= ? AND m.created_at >= ?
      ${conversationId !== undefined ? 'AND c.id = ?' : ''}
      AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.conversation_id = c.id AND r.seq > m.seq
        AND r.role IN ('agent', 'assistant'))
      AND NOT EXISTS (SELECT 1 FROM agent_drafts d WHERE d.conversation_id = c.id AND d.message_id = m.id)
    ORDER BY m.created_at DESC, m.id LIMIT ?`;
  return db
    .prepare<(string | number)[], UndraftedRow>(sql)
    .all(...params, limit)
    .map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      role: 'visitor',
      text: r.text,
      citations: JSON.parse(r.citations) as Citation[],
      createdAt: r.created_at,
    }));
}
