import type { FastifyBaseLogger } from 'fastify';
import type { AskInput } from '../answer/answer-engine.js';
import type { AnswerDraft, HistoryTurn } from '../contract/answer.js';
import type {
  AgentDraft,
  Citation,
  Conversation,
  ConversationEvent,
  ConversationEventType,
  CsatRecord,
  DeskSettings,
  Escalation,
  Message,
  Visitor,
} from '../contract/conversation.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';

/** What the desk needs of the answer engine (AnswerEngine fits). */
export interface DeskEngine {
  ask(tenant: TenantId, input: AskInput): Promise<AnswerDraft>;
}

export const handoffText = 'A person will join shortly.';

/** Characters per `message.delta` event when a finished reply is streamed to the visitor. */
const deltaChars = 80;
/** Most history turns given to the engine. */
const maxHistoryTurns = 20;

export type EventListener = (event: ConversationEvent) => void;

export interface DeskServiceOptions {
  store: Store;
  engine: DeskEngine;
  logger?: FastifyBaseLogger;
}

/**
 * The support desk: widget conversations, the answer engine's replies or drafts, escalations and the
 * per-conversation event log the widget's SSE stream reads. Every event is written to the tenant database
 * before listeners hear of it, so a stream that resumes from its last event id misses nothing.
 */
export class DeskService {
  private readonly store: Store;
  private readonly engine: DeskEngine;
  private readonly logger: FastifyBaseLogger | undefined;
  private readonly listeners = new Map<string, Set<EventListener>>();
  /** One engine run at a time per conversation, in message order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  constructor(options: DeskServiceOptions) {
    this.store = options.store;
    this.engine = options.engine;
    this.logger = options.logger;
  }

  settings(tenant: TenantId): Promise<DeskSettings> {
    return this.store.desk.settings(tenant);
  }

  updateSettings(tenant: TenantId, patch: Partial<DeskSettings>): Promise<DeskSettings> {
    return this.store.desk.updateSettings(tenant, patch);
  }

  startConversation(tenant: TenantId, visitor: Visitor = {}): Promise<Conversation> {
    return this.store.conversations.create(tenant, { channel: 'widget', visitor });
  }

  /** @throws AppError `not_found`. */
  async conversation(tenant: TenantId, id: string): Promise<Conversation> {
    const conversation = await this.store.conversations.get(tenant, id);
    if (!conversation) throw new AppError('not_found', `conversation ${id} does not exist`);
    return conversation;
  }

  messages(tenant: TenantId, conversationId: string): Promise<Message[]> {
    return this.store.conversations.messages(tenant, conversationId);
  }

  drafts(
    tenant: TenantId,
    filter?: { conversationId?: string; status?: AgentDraft['status'] },
  ): Promise<AgentDraft[]> {
    return this.store.desk.drafts(tenant, filter);
  }

  escalations(tenant: TenantId, filter?: { conversationId?: string }): Promise<Escalation[]> {
    return this.store.desk.escalations(tenant, filter);
  }

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
   * Stores the visitor's message (first: whatever happens to the engine, it is kept), then lets the engine
   * answer in the background. The returned `done` settles when that run is over; it never rejects.
   */
  async postVisitorMessage(
    tenant: TenantId,
    conversationId: string,
    text: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ message: Message; done: Promise<void> }> {
    const conversation = await this.conversation(tenant, conversationId);
    if (conversation.status === 'resolved')
      await this.store.conversations.setStatus(tenant, conversationId, 'open');
    const message = await this.store.conversations.appendMessage(tenant, conversationId, {
      role: 'visitor',
      text,
    });
    const key = `${tenant}/${conversationId}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const done = previous
      .then(() => this.answer(tenant, conversationId, message, options.signal))
      .catch((error: unknown) => {
        this.logger?.error(
          { err: error, tenant, conversationId, messageId: message.id },
          'the answer engine failed; the visitor message is kept for an agent',
        );
      });
    this.queues.set(key, done);
    this.running.add(done);
    void done.finally(() => {
      this.running.delete(done);
      if (this.queues.get(key) === done) this.queues.delete(key);
    });
    return { message, done };
  }

  /** Settles when every engine run started so far is over. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** A message from an agent to the visitor (the console calls this). */
  async sendAgentMessage(tenant: TenantId, conversationId: string, text: string): Promise<Message> {
    const message = await this.store.conversations.appendMessage(tenant, conversationId, {
      role: 'agent',
      text,
    });
    await this.emit(tenant, conversationId, [{ type: 'message.completed', data: messageData(message) }]);
    return message;
  }

  /** An agent resolves the conversation: its escalations close and the visitor hears `conversation.resolved`. */
  async resolve(tenant: TenantId, conversationId: string): Promise<Conversation> {
    await this.conversation(tenant, conversationId);
    await this.store.conversations.setStatus(tenant, conversationId, 'resolved');
    await this.store.desk.closeEscalations(tenant, conversationId);
    await this.emit(tenant, conversationId, [
      { type: 'conversation.resolved', data: { conversationId, status: 'resolved' } },
    ]);
    return this.conversation(tenant, conversationId);
  }

  async rate(
    tenant: TenantId,
    conversationId: string,
    rating: number,
    comment: string | null,
  ): Promise<CsatRecord> {
    return this.store.desk.saveCsat(tenant, { conversationId, rating, comment });
  }

  private async answer(
    tenant: TenantId,
    conversationId: string,
    message: Message,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (signal?.aborted) return;
    const all = await this.store.conversations.messages(tenant, conversationId);
    const history: HistoryTurn[] = all
      .filter((m) => m.id !== message.id && m.role !== 'system')
      .map((m) => ({ role: m.role as HistoryTurn['role'], text: m.text }))
      .slice(-maxHistoryTurns);
    const draft = await this.engine.ask(tenant, {
      question: message.text,
      history,
      conversationId,
      audience: { kind: 'public' },
      ...(signal ? { signal } : {}),
    });
    if (signal?.aborted && !draft.complete) return; // the server is stopping; the message waits for an agent
    const settings = await this.store.desk.settings(tenant);
    const citations: Citation[] = draft.citations
      .filter((c) => c.kind === 'kb')
      .map((c) => ({
        docId: c.docId,
        title: c.title,
        quote: c.quote,
        ...(c.chunkId ? { chunkId: c.chunkId } : {}),
      }));
    const escalate = draft.escalation.escalate;
    // Once a person has been called, the AI only drafts: it does not talk over the agent.
    const handedOff = (await this.conversation(tenant, conversationId)).status === 'pending_human';
    const auto =
      settings.replyMode === 'auto' &&
      !handedOff &&
      !escalate &&
      !draft.abstained &&
      draft.complete &&
      draft.confidence >= settings.autoReplyThreshold;
    if (auto) {
      const reply = await this.store.conversations.appendMessage(tenant, conversationId, {
        role: 'assistant',
        text: draft.answer,
        citations,
      });
      await this.emit(tenant, conversationId, [
        ...chunks(reply.text).map((delta) => ({
          type: 'message.delta' as const,
          data: { messageId: reply.id, delta },
        })),
        { type: 'message.completed', data: messageData(reply) },
      ]);
      return;
    }
    await this.store.desk.saveDraft(tenant, {
      conversationId,
      messageId: message.id,
      text: draft.answer,
      citations,
      confidence: draft.confidence,
      escalate,
      priority: draft.escalation.priority,
      reasons: draft.escalation.reasons,
    });
    if (!escalate || handedOff) return; // already handed off: one escalation per handoff
    const priority = draft.escalation.priority ?? 'medium';
    await this.store.conversations.setStatus(tenant, conversationId, 'pending_human');
    await this.store.desk.recordEscalation(tenant, {
      conversationId,
      priority,
      reasons: draft.escalation.reasons,
    });
    const notice = await this.store.conversations.appendMessage(tenant, conversationId, {
      role: 'system',
      text: handoffText,
    });
    await this.emit(tenant, conversationId, [
      { type: 'message.completed', data: messageData(notice) },
      {
        type: 'conversation.handoff',
        data: { conversationId, status: 'pending_human', priority, reasons: draft.escalation.reasons },
      },
    ]);
  }

  private async emit(
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

function chunks(text: string): string[] {
  const out: string[] = [];
  const chars = Array.from(text); // never split a surrogate pair
  for (let i = 0; i < chars.length; i += deltaChars) out.push(chars.slice(i, i + deltaChars).join(''));
  return out;
}
