import type { FastifyBaseLogger } from 'fastify';
import type { ConversationEvent, ConversationEventType, Message } from '../contract/conversation.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';

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

  async emit(
    tenant: TenantId,
    conversationId: string,
    events: { type: ConversationEventType; data: Record<string, unknown> }[],
  ): Promise<void> {
    const stored = await this.store.desk.appendEvents(tenant, conversationId, events);
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
