import type { Escalation } from '../contract/conversation.js';
import type { ConversationDetail, ConversationList, EscalationQueue } from '../contract/desk-api.js';
import { AppError } from '../contract/errors.js';
import type { InboxFilter, Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';

const queueStatuses: Record<'open' | 'assigned' | 'closed' | 'active', Escalation['status'][]> = {
  open: ['open'],
  assigned: ['assigned'],
  closed: ['closed'],
  active: ['open', 'assigned'],
};

/** What the agent console reads: the inbox, one conversation in full, the escalation queue. */
export class DeskInbox {
  constructor(private readonly store: Store) {}

  /** @throws AppError `invalid_input` when mine/others is asked without the agent's name. */
  async list(tenant: TenantId, filter: InboxFilter): Promise<ConversationList> {
    if ((filter.assignment === 'mine' || filter.assignment === 'others') && !filter.agent) {
      throw new AppError('invalid_input', `assignment=${filter.assignment} needs agent=<your name>`);
    }
    const [conversations, counts] = await Promise.all([
      this.store.conversations.inbox(tenant, filter),
      this.store.conversations.inboxCounts(tenant),
    ]);
    return { conversations, counts };
  }

  /** @throws AppError `not_found`. */
  async detail(tenant: TenantId, conversationId: string): Promise<ConversationDetail> {
    const conversation = await this.store.conversations.get(tenant, conversationId);
    const summary = await this.store.conversations.summary(tenant, conversationId);
    if (!conversation || !summary) {
      throw new AppError('not_found', `conversation ${conversationId} does not exist in tenant "${tenant}"`);
    }
    const [messages, drafts, notes, escalations, csat] = await Promise.all([
      this.store.conversations.messages(tenant, conversationId),
      this.store.desk.drafts(tenant, { conversationId, limit: 50 }),
      this.store.desk.notes(tenant, conversationId),
      this.store.desk.escalations(tenant, { conversationId }),
      this.store.desk.csat(tenant, conversationId),
    ]);
    const { name, email, externalId } = conversation.visitor;
    return {
      conversation: summary,
      visitor: {
        ...(name !== undefined ? { name } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(externalId !== undefined ? { externalId } : {}),
      },
      messages,
      drafts,
      notes,
      escalations,
      csat: csat ? { rating: csat.rating, comment: csat.comment, createdAt: csat.createdAt } : null,
    };
  }

  /** Highest priority first, then oldest first, each with its conversation's inbox row and age. */
  async escalationQueue(
    tenant: TenantId,
    query: { status: keyof typeof queueStatuses; limit: number },
  ): Promise<EscalationQueue> {
    const escalations = await this.store.desk.escalationQueue(tenant, {
      statuses: queueStatuses[query.status],
      limit: query.limit,
    });
    const now = Date.now();
    const out: EscalationQueue['escalations'] = [];
    for (const e of escalations) {
      const conversation = await this.store.conversations.summary(tenant, e.conversationId);
      if (!conversation) continue; // deleted meanwhile
      out.push({ ...e, ageSeconds: Math.max(0, (now - Date.parse(e.createdAt)) / 1000), conversation });
    }
    return { escalations: out };
  }
}
