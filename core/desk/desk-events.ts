import type { FastifyBaseLogger } from 'fastify';
import type { Escalation } from '../contract/conversation.js';
import type { DeskEvent } from '../contract/desk-api.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';

export type DeskEventListener = (event: DeskEvent) => void;
export type ConversationChange = 'message' | 'status' | 'assignment' | 'note' | 'read' | 'csat';

/**
 * The tenant-wide live desk events the agent console follows (GET …/desk/events). Published after the change
 * is stored, so a console that refetches on an event sees it. Publishing never fails the change it reports: the
 * event is a hint to refetch, and a console that reconnects refetches anyway.
 */
export class DeskEvents {
  private readonly listeners = new Map<TenantId, Set<DeskEventListener>>();

  constructor(
    private readonly store: Store,
    private readonly logger: FastifyBaseLogger | undefined,
  ) {}

  /** Returns the unsubscribe function. */
  subscribe(tenant: TenantId, listener: DeskEventListener): () => void {
    const set = this.listeners.get(tenant) ?? new Set();
    set.add(listener);
    this.listeners.set(tenant, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenant);
    };
  }

  /** Open subscriptions over all tenants (the SSE route bounds them). */
  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  async conversation(tenant: TenantId, conversationId: string, change: ConversationChange): Promise<void> {
    if (!this.listeners.has(tenant)) return; // nobody follows this tenant: skip the summary query
    try {
      const summary = await this.store.conversations.summary(tenant, conversationId);
      if (summary) this.publish(tenant, { type: 'conversation', data: { conversationId, change, summary } });
    } catch (error) {
      this.logger?.warn({ err: error, tenant, conversationId }, 'could not publish a desk event');
    }
  }

  draft(tenant: TenantId, conversationId: string, draftId: string): void {
    this.publish(tenant, { type: 'draft', data: { conversationId, draftId } });
  }

  escalation(tenant: TenantId, escalation: Escalation): void {
    this.publish(tenant, { type: 'escalation', data: { escalation } });
  }

  private publish(tenant: TenantId, event: DeskEvent): void {
    const set = this.listeners.get(tenant);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        this.logger?.warn({ err: error }, 'a desk event listener failed');
      }
    }
  }
}
