import type { AgentDraft } from '../../contract/conversation.js';
import { AppError } from '../../contract/errors.js';
import type { DeskStore, HandOffInput, HandOffResult } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import { insertMessage } from './conversations.js';
import {
  conversationState,
  discardPendingDrafts,
  insertDraft,
  insertEscalation,
  insertEvents,
  toDraft,
  type DraftRow,
} from './desk-rows.js';
import type { Db } from './open-database.js';

type DeskActions = Pick<
  DeskStore,
  | 'resolveConversation'
  | 'handOff'
  | 'sendAgentReply'
  | 'assignConversation'
  | 'saveRegeneratedDraft'
  | 'settleAnswer'
>;

/**
 * The desk's multi-step actions, each one transaction. They read before they write, so they begin IMMEDIATE:
 * a deferred transaction that another connection (the answer worker thread) wrote past would fail with
 * SQLITE_BUSY on its first write instead of waiting for the busy timeout.
 */
export function sqliteDeskActions(dbOf: (tenant: TenantId) => Db): DeskActions {
  const now = () => new Date().toISOString();
  return {
    async resolveConversation(tenant, conversationId, events = []) {
      const db = dbOf(tenant);
      return db
        .transaction(() => {
          conversationState(db, tenant, conversationId);
          const at = now();
          db.prepare("UPDATE conversations SET status = 'resolved', updated_at = ? WHERE id = ?").run(
            at,
            conversationId,
          );
          db.prepare(
            "UPDATE escalations SET status = 'closed', closed_at = ? WHERE conversation_id = ? AND status != 'closed'",
          ).run(at, conversationId);
          discardPendingDrafts(db, conversationId);
          return insertEvents(db, conversationId, events);
        })
        .immediate();
    },
    async handOff(tenant, input) {
      const db = dbOf(tenant);
      return db.transaction(() => handOff(db, tenant, input)).immediate();
    },
    async sendAgentReply(tenant, { conversationId, text, citations, draftId, announce }) {
      const db = dbOf(tenant);
      return db
        .transaction(() => {
          conversationState(db, tenant, conversationId);
          // Claimed before the message is written: of two sends of one draft, only one gets it.
          const claimed = draftId === undefined ? null : claimDraft(db, tenant, conversationId, draftId);
          const message = insertMessage(db, tenant, conversationId, { role: 'agent', text, citations });
          if (claimed) {
            // The reply answers the draft's message, not newer ones: their drafts stay for the agents, and
            // settleAnswer can tell this reply from one to a newer message.
            db.prepare('UPDATE agent_drafts SET sent_message_id = ? WHERE id = ?').run(
              message.id,
              claimed.id,
            );
            const answered = messageSeq(db, tenant, conversationId, claimed.messageId);
            discardPendingDrafts(db, conversationId, { upToSeq: answered });
          } else {
            discardPendingDrafts(db, conversationId); // a free-text reply answers everything so far
          }
          db.prepare('UPDATE conversations SET agent_read_at = ? WHERE id = ?').run(now(), conversationId);
          return { message, events: insertEvents(db, conversationId, announce?.(message) ?? []) };
        })
        .immediate();
    },
    async assignConversation(tenant, conversationId, assignee) {
      const db = dbOf(tenant);
      db.transaction(() => {
        conversationState(db, tenant, conversationId);
        db.prepare('UPDATE conversations SET assignee = ?, updated_at = ? WHERE id = ?').run(
          assignee,
          now(),
          conversationId,
        );
        const [from, to] = assignee === null ? ['assigned', 'open'] : ['open', 'assigned'];
        db.prepare('UPDATE escalations SET status = ? WHERE conversation_id = ? AND status = ?').run(
          to,
          conversationId,
          from,
        );
      }).immediate();
    },
    async saveRegeneratedDraft(tenant, input, seenUpTo) {
      const db = dbOf(tenant);
      return db
        .transaction(() => {
          conversationState(db, tenant, input.conversationId);
          const seq = messageSeq(db, tenant, input.conversationId, input.messageId);
          if (laterMessages(db, input.conversationId, seq).visitor) {
            throw new AppError(
              'conflict',
              'the visitor wrote again while the new draft was being made; the newer message gets its own draft, reload the conversation',
            );
          }
          const seen = messageSeq(db, tenant, input.conversationId, seenUpTo.messageId);
          if (laterMessages(db, input.conversationId, seen).answer) {
            throw new AppError(
              'conflict',
              'the visitor was answered while the new draft was being made; reload the conversation',
            );
          }
          const draft = insertDraft(db, input, 'pending');
          discardPendingDrafts(db, input.conversationId, { keep: draft.id, upToSeq: seq });
          return draft;
        })
        .immediate();
    },
    async settleAnswer(tenant, { draft, reply, handOff: handOffInput }) {
      const db = dbOf(tenant);
      return db
        .transaction(() => {
          const state = conversationState(db, tenant, draft.conversationId);
          const seq = messageSeq(db, tenant, draft.conversationId, draft.messageId);
          const after = laterMessages(db, draft.conversationId, seq);
          // An agent's reply to an earlier message does not answer this one: its draft and handoff still count.
          if (state.status === 'resolved' || after.visitor || answeredSince(db, draft.conversationId, seq)) {
            return { outcome: 'stale', draft: insertDraft(db, draft, 'discarded') } as const;
          }
          if (
            reply &&
            state.status !== 'pending_human' &&
            state.assignee === null &&
            !agentWrote(db, draft)
          ) {
            const message = insertMessage(db, tenant, draft.conversationId, {
              role: 'assistant',
              text: reply.text,
              citations: reply.citations,
            });
            const events = insertEvents(db, draft.conversationId, reply.announce?.(message) ?? []);
            return { outcome: 'replied', reply: message, events } as const;
          }
          const saved = insertDraft(db, draft, 'pending');
          // Once a person has been called, one escalation per handoff: the AI only drafts.
          const handedOff =
            handOffInput && state.status !== 'pending_human'
              ? handOff(db, tenant, { ...handOffInput, conversationId: draft.conversationId })
              : null;
          return { outcome: 'drafted', draft: saved, handOff: handedOff } as const;
        })
        .immediate();
    },
  };
}

function handOff(db: Db, tenant: TenantId, input: HandOffInput): HandOffResult {
  const { status } = conversationState(db, tenant, input.conversationId);
  db.prepare("UPDATE conversations SET status = 'pending_human', updated_at = ? WHERE id = ?").run(
    new Date().toISOString(),
    input.conversationId,
  );
  const escalation = insertEscalation(db, tenant, {
    conversationId: input.conversationId,
    priority: input.priority,
    reasons: input.reasons,
  });
  // The visitor hears it once per handoff, not again for a second escalation.
  if (status === 'pending_human') return { escalation, notice: null, events: [] };
  const notice = insertMessage(db, tenant, input.conversationId, { role: 'system', text: input.notice });
  const events = insertEvents(db, input.conversationId, input.announce?.({ escalation, notice }) ?? []);
  return { escalation, notice, events };
}

function claimDraft(db: Db, tenant: TenantId, conversationId: string, draftId: string): AgentDraft {
  const claimed = db
    .prepare<[string, string], DraftRow>(
      "UPDATE agent_drafts SET status = 'sent' WHERE id = ? AND conversation_id = ? AND status = 'pending' RETURNING *",
    )
    .get(draftId, conversationId);
  if (claimed) return toDraft(claimed);
  const row = db
    .prepare<[string, string], { status: string }>(
      'SELECT status FROM agent_drafts WHERE id = ? AND conversation_id = ?',
    )
    .get(draftId, conversationId);
  if (!row) {
    throw new AppError(
      'not_found',
      `draft ${draftId} does not exist in conversation ${conversationId} of "${tenant}"`,
    );
  }
  throw new AppError(
    'conflict',
    `draft ${draftId} was already ${row.status}; reload the conversation and reply to its newest draft`,
  );
}

function messageSeq(db: Db, tenant: TenantId, conversationId: string, messageId: string): number {
  const row = db
    .prepare<[string, string], { seq: number }>(
      'SELECT seq FROM messages WHERE id = ? AND conversation_id = ?',
    )
    .get(messageId, conversationId);
  if (!row) {
    throw new AppError(
      'not_found',
      `message ${messageId} does not exist in conversation ${conversationId} of "${tenant}"`,
    );
  }
  return row.seq;
}

/** Whether a newer visitor message, or an answer (agent or assistant; system notices are not), follows `seq`. */
function laterMessages(db: Db, conversationId: string, seq: number): { visitor: boolean; answer: boolean } {
  const row = db
    .prepare<[string, number], { visitor: number | null; answer: number | null }>(
      `SELECT sum(role = 'visitor') AS visitor, sum(role IN ('agent', 'assistant')) AS answer
       FROM messages WHERE conversation_id = ? AND seq > ?`,
    )
    .get(conversationId, seq);
  return { visitor: (row?.visitor ?? 0) > 0, answer: (row?.answer ?? 0) > 0 };
}

/**
 * Whether an agent or assistant message after `seq` answers the visitor message at `seq` (or a newer one). An
 * agent reply sent from a draft answers that draft's message; a free-text one, and an AI reply (written only
 * for the latest visitor message), answer everything before them.
 */
function answeredSince(db: Db, conversationId: string, seq: number): boolean {
  return (
    db
      .prepare<[string, number, number], { one: number }>(
        `SELECT 1 AS one FROM messages m
         WHERE m.conversation_id = ? AND m.seq > ? AND m.role IN ('agent', 'assistant')
           AND NOT EXISTS (
             SELECT 1 FROM agent_drafts d JOIN messages q ON q.id = d.message_id
             WHERE d.sent_message_id = m.id AND q.seq < ?)
         LIMIT 1`,
      )
      .get(conversationId, seq, seq) !== undefined
  );
}

/** An agent has written in the conversation: the AI no longer replies on its own next to them. */
function agentWrote(db: Db, draft: { conversationId: string }): boolean {
  return (
    db
      .prepare<[string], { one: number }>(
        "SELECT 1 AS one FROM messages WHERE conversation_id = ? AND role = 'agent' LIMIT 1",
      )
      .get(draft.conversationId) !== undefined
  );
}
