import { randomUUID } from 'node:crypto';
import type {
  AgentDraft,
  Citation,
  ConversationEvent,
  ConversationEventType,
  Escalation,
  EscalationReason,
  Priority,
} from '../../contract/conversation.js';
import { AppError } from '../../contract/errors.js';
import type { NewConversationEvent, NewDraft } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import type { Db } from './open-database.js';

/** Rows of the desk tables and the writes several desk operations share (callers hold the transaction). */

export interface DraftRow {
  id: string;
  conversation_id: string;
  message_id: string;
  text: string;
  citations: string;
  confidence: number;
  escalate: number;
  priority: Priority | null;
  reasons: string;
  unsupported: string;
  status: AgentDraft['status'];
  created_at: string;
}

export interface EscalationRow {
  id: string;
  conversation_id: string;
  priority: Priority;
  reasons: string;
  status: Escalation['status'];
  created_at: string;
}

export const toDraft = (r: DraftRow): AgentDraft => ({
  id: r.id,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  text: r.text,
  citations: JSON.parse(r.citations) as Citation[],
  confidence: r.confidence,
  escalate: r.escalate === 1,
  priority: r.priority,
  reasons: JSON.parse(r.reasons) as EscalationReason[],
  unsupported: JSON.parse(r.unsupported) as string[],
  status: r.status,
  createdAt: r.created_at,
});

export const toEscalation = (r: EscalationRow): Escalation => ({
  id: r.id,
  conversationId: r.conversation_id,
  priority: r.priority,
  reasons: JSON.parse(r.reasons) as EscalationReason[],
  status: r.status,
  createdAt: r.created_at,
});

export interface ConversationState {
  status: 'open' | 'pending_human' | 'resolved';
  assignee: string | null;
}

/** @throws AppError `not_found`. */
export function conversationState(db: Db, tenant: TenantId, id: string): ConversationState {
  const row = db
    .prepare<[string], ConversationState>('SELECT status, assignee FROM conversations WHERE id = ?')
    .get(id);
  if (!row) throw new AppError('not_found', `conversation ${id} does not exist in tenant "${tenant}"`);
  return row;
}

export function insertDraft(db: Db, input: NewDraft, status: AgentDraft['status']): AgentDraft {
  const draft: AgentDraft = { ...input, id: randomUUID(), status, createdAt: new Date().toISOString() };
  db.prepare(
    `INSERT INTO agent_drafts (id, conversation_id, message_id, text, citations, confidence, escalate, priority,
       reasons, unsupported, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    draft.id,
    draft.conversationId,
    draft.messageId,
    draft.text,
    JSON.stringify(draft.citations),
    draft.confidence,
    draft.escalate ? 1 : 0,
    draft.priority,
    JSON.stringify(draft.reasons),
    JSON.stringify(draft.unsupported),
    draft.status,
    draft.createdAt,
  );
  return draft;
}

/**
 * A new escalation: `assigned` when an agent already has the conversation (it is theirs, not the unclaimed
 * queue's), `open` otherwise. @throws AppError `not_found`.
 */
export function insertEscalation(
  db: Db,
  tenant: TenantId,
  input: { conversationId: string; priority: Priority; reasons: EscalationReason[] },
): Escalation {
  const { assignee } = conversationState(db, tenant, input.conversationId);
  const escalation: Escalation = {
    ...input,
    id: randomUUID(),
    status: assignee === null ? 'open' : 'assigned',
    createdAt: new Date().toISOString(),
  };
  db.prepare(
    'INSERT INTO escalations (id, conversation_id, priority, reasons, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    escalation.id,
    escalation.conversationId,
    escalation.priority,
    JSON.stringify(escalation.reasons),
    escalation.status,
    escalation.createdAt,
  );
  return escalation;
}

/** Marks the conversation's pending drafts discarded, but `keep`, and only those of messages up to `upToSeq`. */
export function discardPendingDrafts(
  db: Db,
  conversationId: string,
  options: { keep?: string; upToSeq?: number } = {},
): void {
  db.prepare<[string, string, number]>(
    `UPDATE agent_drafts SET status = 'discarded'
     WHERE conversation_id = ? AND status = 'pending' AND id != ?
       AND (SELECT seq FROM messages m WHERE m.id = agent_drafts.message_id) <= ?`,
  ).run(conversationId, options.keep ?? '', options.upToSeq ?? Number.MAX_SAFE_INTEGER);
}

export interface EventRow {
  id: number;
  conversation_id: string;
  type: ConversationEventType;
  data: string;
  created_at: string;
}

export const toEvent = (r: EventRow): ConversationEvent => ({
  id: r.id,
  conversationId: r.conversation_id,
  type: r.type,
  data: JSON.parse(r.data) as Record<string, unknown>,
  createdAt: r.created_at,
});

/** Appends events to a conversation's log (ids increase); the caller checked the conversation exists. */
export function insertEvents(
  db: Db,
  conversationId: string,
  events: readonly NewConversationEvent[],
): ConversationEvent[] {
  const insert = db.prepare<[string, string, string, string], EventRow>(
    'INSERT INTO conversation_events (conversation_id, type, data, created_at) VALUES (?, ?, ?, ?) RETURNING *',
  );
  const at = new Date().toISOString();
  return events.map((e) => toEvent(insert.get(conversationId, e.type, JSON.stringify(e.data), at)!));
}
