import type { FastifyBaseLogger } from 'fastify';
import type { ConversationEvent, Escalation, Message } from '../contract/conversation.js';
import type { NewConversationEvent, Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';

/** Characters per `message.delta` event when a finished reply is streamed to the visitor. */
const deltaChars = 80;

export type EventListener = (event: ConversationEvent) => void;

/**
 * A conversation's event log, which the widget's SSE stream reads: every event is written to the tenant
 * database before listeners hear of it, so a stream that resumes from its last event id misses nothing.
 */
export class ConversationLog {
  private readonly listeners = new Map<string, Set<EventListener>>();

  constructor(
    private readonly store: Store,
    private readonly logger: FastifyBaseLogger | undefined,
  ) {}

  events(tenant: TenantId, conversationId: string, afterId = 0): Promise<ConversationEvent[]> {
    return this.store.desk.events(tenant, conversationId, { afterId });
  }

  /** Live events of a conversation (after they are stored). Returns the unsubscribe function. */
  subscribe(tenant: TenantId, conversationId: string, listener: EventListener): () => void {
    const key = `${tenant}/${conversationId}`;
    const set = this.listeners.get(key) ?? new Set();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /**
   * Tells listeners of events already stored (by a store action, in the transaction of the change they
   * announce). Never throws: the change and its events are committed, a stream that missed them resumes.
   */
  notify(tenant: TenantId, conversationId: string, stored: readonly ConversationEvent[]): void {
    const set = this.listeners.get(`${tenant}/${conversationId}`);
    if (!set) return;
    for (const event of stored) {
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (error) {
          this.logger?.warn({ err: error }, 'a conversation event listener failed');
        }
      }
    }
  }
}

/** A message as the widget sees it (SPEC.md `GET /v1/conversations/:id/messages`). */
export function messageData(m: Message): Record<string, unknown> {
  return {
    id: m.id,
    messageId: m.id,
    role: m.role,
    text: m.text,
    ...(m.citations.length > 0 ? { citations: m.citations } : {}),
    createdAt: m.createdAt,
  };
}

/** The widget events of an AI reply, stored with it: streamed in chunks, then completed. */
export function autoReplyEvents(reply: Message): NewConversationEvent[] {
  return [
    ...chunks(reply.text).map((delta) => ({
      type: 'message.delta' as const,
      data: { messageId: reply.id, delta },
    })),
    { type: 'message.completed', data: messageData(reply) },
  ];
}

/** The widget events of a handoff that told the visitor, stored with it. */
export function handOffEvents({ escalation, notice }: { escalation: Escalation; notice: Message }) {
  return [
    { type: 'message.completed', data: messageData(notice) },
    {
      type: 'conversation.handoff',
      data: {
        conversationId: notice.conversationId,
        status: 'pending_human',
        priority: escalation.priority,
        reasons: escalation.reasons,
      },
    },
  ] satisfies NewConversationEvent[];
}

function chunks(text: string): string[] {
  const out: string[] = [];
  const chars = Array.from(text); // never split a surrogate pair
  for (let i = 0; i < chars.length; i += deltaChars) out.push(chars.slice(i, i + deltaChars).join(''));
  return out;
}
