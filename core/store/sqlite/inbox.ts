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
 * The agent inbox over the tenant's file: each conversation with the priority of its active (open or assigned)
 * escalation of an unresolved conversation, its unread visitor messages (after the agent's read marker), whether
 * a pending AI draft waits, and its last message. Two steps: the page of ids is picked from indexed columns
 * (status, assignee, updated_at, and the priority from the few active escalations), then the summaries are
 * computed for that page only, not for every conversation of the tenant.
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

const unreadWhere = `m.conversation_id = c.id AND m.role = 'visitor'
  AND (c.agent_read_at IS NULL OR m.created_at > c.agent_read_at)`;
const unreadSql = `(SELECT count(*) FROM messages m WHERE ${unreadWhere})`;
/** Whether any visitor message is unread: stops at the first (index messages_by_role). */
const unreadProbeSql = `(SELECT 1 FROM messages m WHERE ${unreadWhere})`;

/** Per conversation with an active escalation, its highest priority as a rank; resolved ones have none. */
const activeSql = `active AS (
  SELECT e.conversation_id, min(${rankSql}) AS prank FROM escalations e
  JOIN conversations ac ON ac.id = e.conversation_id
  WHERE e.status IN ('open', 'assigned') AND ac.status != 'resolved' GROUP BY e.conversation_id
)`;

function summarySql(where: string): string {
  return `
    WITH ${activeSql}
    SELECT c.id, c.channel, c.status, json_extract(c.visitor, '$.name') AS visitor_name, c.assignee,
      c.created_at, c.updated_at, a.prank AS priority_rank, ${unreadSql} AS unread,
      EXISTS (SELECT 1 FROM agent_drafts d WHERE d.conversation_id = c.id AND d.status = 'pending') AS has_draft,
      lm.role AS last_role, lm.text AS last_text, lm.created_at AS last_at
    FROM conversations c
    LEFT JOIN active a ON a.conversation_id = c.id
    LEFT JOIN messages lm ON lm.conversation_id = c.id
      AND lm.seq = (SELECT max(seq) FROM messages WHERE conversation_id = c.id)
    ${where}`;
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
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.status === 'unresolved') where.push("c.status IN ('open', 'pending_human')");
  else if (filter.status !== undefined) {
    where.push('c.status = ?');
    params.push(filter.status);
  }
  const assignment = filter.assignment ?? 'all';
  if (assignment === 'unassigned') where.push('c.assignee IS NULL');
  if (assignment === 'mine' || assignment === 'others') {
    where.push(assignment === 'mine' ? 'c.assignee = ?' : 'c.assignee IS NOT NULL AND c.assignee != ?');
    params.push(filter.agent ?? '');
  }
  if (filter.q) {
    where.push(`(json_extract(c.visitor, '$.name') LIKE ? ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM messages s WHERE s.conversation_id = c.id AND s.text LIKE ? ESCAPE '\\'))`);
    params.push(likePattern(filter.q), likePattern(filter.q));
  }
  if (filter.priority !== undefined) {
    where.push('a.prank = ?');
    params.push(priorities.indexOf(filter.priority));
  }
  if (filter.unread !== undefined) where.push(`${filter.unread ? '' : 'NOT '}EXISTS ${unreadProbeSql}`);
  // Step 1: the page, ordered by the documented inbox order, from indexed columns only.
  const pageSql = `WITH ${activeSql}
    SELECT c.id FROM conversations c LEFT JOIN active a ON a.conversation_id = c.id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY coalesce(a.prank, ${priorities.length}), c.updated_at DESC, c.id LIMIT ?`;
  // One read transaction: both steps see the same snapshot of the file.
  return db.transaction(() => {
    const ids = db
      .prepare<(string | number)[], { id: string }>(pageSql)
      .all(...params, filter.limit ?? 100)
      .map((r) => r.id);
    if (ids.length === 0) return [];
    // Step 2: the summaries of that page, put back in its order.
    const rows = db
      .prepare<[string], SummaryRow>(summarySql('WHERE c.id IN (SELECT value FROM json_each(?))'))
      .all(JSON.stringify(ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toSummary(row)] : [];
    });
  })();
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
      // Unresolved conversations through the status index, not a scan of every conversation ever.
      `SELECT count(*) AS n FROM conversations c
       WHERE c.status IN ('open', 'pending_human') AND EXISTS ${unreadProbeSql}`,
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
        AND r.role IN ('agent', 'assistant')
        -- an agent's reply sent from the draft of an earlier message does not answer this one
        AND NOT EXISTS (SELECT 1 FROM agent_drafts s JOIN messages q ON q.id = s.message_id
          WHERE s.sent_message_id = r.id AND q.seq < m.seq))
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
