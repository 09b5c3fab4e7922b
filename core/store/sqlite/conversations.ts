import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import type {
  Citation,
  Conversation,
  ConversationStatus,
  Message,
  MessageRole,
} from '../../contract/conversation.js';
import type { ConversationStore } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import { inboxCounts, inboxRow, inboxRows } from './inbox.js';
import type { Db } from './open-database.js';

interface ConversationRow {
  id: string;
  channel: Conversation['channel'];
  status: ConversationStatus;
  visitor: string;
  assignee: string | null;
  agent_read_at: string | null;
  created_at: string;
  updated_at: string;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  role: MessageRole;
  text: string;
  citations: string;
  created_at: string;
}

const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  channel: r.channel,
  status: r.status,
  visitor: JSON.parse(r.visitor) as Conversation['visitor'],
  assignee: r.assignee,
  agentReadAt: r.agent_read_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  role: r.role,
  text: r.text,
  citations: JSON.parse(r.citations) as Citation[],
  createdAt: r.created_at,
});

/**
 * Appends a message after the conversation's last one and bumps its updated_at; the caller holds the
 * transaction. @throws AppError `not_found`.
 */
export function insertMessage(
  db: Db,
  tenant: TenantId,
  conversationId: string,
  { role, text, citations = [] }: { role: MessageRole; text: string; citations?: Citation[] },
): Message {
  const exists = db
    .prepare<[string], { id: string }>('SELECT id FROM conversations WHERE id = ?')
    .get(conversationId);
  if (!exists)
    throw new AppError('not_found', `conversation ${conversationId} does not exist in tenant "${tenant}"`);
  const { next } = db
    .prepare<[string], { next: number }>(
      'SELECT coalesce(max(seq), 0) + 1 AS next FROM messages WHERE conversation_id = ?',
    )
    .get(conversationId)!;
  const message: Message = {
    id: randomUUID(),
    conversationId,
    role,
    text,
    citations,
    createdAt: new Date().toISOString(),
  };
  db.prepare(
    'INSERT INTO messages (id, conversation_id, seq, role, text, citations, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(message.id, conversationId, next, role, text, JSON.stringify(citations), message.createdAt);
  db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?').run(message.createdAt, conversationId);
  return message;
}

/** Conversations of one tenant live only in that tenant's file; `dbOf` picks it. */
export function sqliteConversationStore(dbOf: (tenant: TenantId) => Db): ConversationStore {
  const mustExist = (db: Db, tenant: TenantId, id: string) => {
    const row = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?').get(id);
    if (!row) throw new AppError('not_found', `conversation ${id} does not exist in tenant "${tenant}"`);
    return row;
  };
  return {
    async create(tenant, { channel, visitor = {} }) {
      const now = new Date().toISOString();
      const conversation: Conversation = {
        id: randomUUID(),
        channel,
        status: 'open',
        visitor,
        assignee: null,
        agentReadAt: null,
        createdAt: now,
        updatedAt: now,
      };
      dbOf(tenant)
        .prepare(
          'INSERT INTO conversations (id, channel, status, visitor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(conversation.id, channel, 'open', JSON.stringify(visitor), now, now);
      return conversation;
    },
    async get(tenant, id) {
      const row = dbOf(tenant)
        .prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?')
        .get(id);
      return row ? toConversation(row) : null;
    },
    async list(tenant, { status, limit = 100 } = {}) {
      const db = dbOf(tenant);
      const rows =
        status === undefined
          ? db
              .prepare<[number], ConversationRow>(
                'SELECT * FROM conversations ORDER BY updated_at DESC LIMIT ?',
              )
              .all(limit)
          : db
              .prepare<[string, number], ConversationRow>(
                'SELECT * FROM conversations WHERE status = ? ORDER BY updated_at DESC LIMIT ?',
              )
              .all(status, limit);
      return rows.map(toConversation);
    },
    async setStatus(tenant, id, status) {
      const db = dbOf(tenant);
      mustExist(db, tenant, id);
      db.prepare('UPDATE conversations SET status = ?, updated_at = ? WHERE id = ?').run(
        status,
        new Date().toISOString(),
        id,
      );
    },
    async appendMessage(tenant, conversationId, input) {
      const db = dbOf(tenant);
      // IMMEDIATE: insertMessage reads (the conversation, the next seq) before it writes, and a deferred
      // transaction that another connection (the answer worker thread) wrote past fails with SQLITE_BUSY on
      // its first write instead of waiting for the busy timeout: the visitor's message would be lost.
      return db.transaction(() => insertMessage(db, tenant, conversationId, input)).immediate();
    },
    async messages(tenant, conversationId) {
      const db = dbOf(tenant);
      mustExist(db, tenant, conversationId);
      return db
        .prepare<[string], MessageRow>('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq')
        .all(conversationId)
        .map(toMessage);
    },
    async assign(tenant, id, assignee) {
      const db = dbOf(tenant);
      mustExist(db, tenant, id);
      db.prepare('UPDATE conversations SET assignee = ?, updated_at = ? WHERE id = ?').run(
        assignee,
        new Date().toISOString(),
        id,
      );
    },
    async markRead(tenant, id) {
      const db = dbOf(tenant);
      mustExist(db, tenant, id);
      // Not an update of the conversation: reading it does not move it up the inbox.
      db.prepare('UPDATE conversations SET agent_read_at = ? WHERE id = ?').run(new Date().toISOString(), id);
    },
    async inbox(tenant, filter) {
      return inboxRows(dbOf(tenant), filter);
    },
    async summary(tenant, id) {
      return inboxRow(dbOf(tenant), id);
    },
    async inboxCounts(tenant) {
      return inboxCounts(dbOf(tenant));
    },
  };
}
