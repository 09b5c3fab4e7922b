import type { FastifyBaseLogger } from 'fastify';
import type { AskInput } from '../answer/answer-engine.js';
import type { AnswerDraft } from '../contract/answer.js';
import type {
  AgentDraft,
  Conversation,
  ConversationEvent,
  CsatRecord,
  DeskSettings,
  Escalation,
  EscalationReason,
  Message,
  Priority,
  Visitor,
} from '../contract/conversation.js';
import { AppError } from '../contract/errors.js';
import type { HandOffResult, RememberedAnswer, Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import { AgentActions } from './agent-actions.js';
import { CatchUp, type CatchUpOptions, type CatchUpReport } from './catch-up.js';
import { autoReplyEvents, ConversationLog, handOffEvents, type EventListener } from './conversation-log.js';
import { DeskEvents } from './desk-events.js';
import { askEngine, handsOff, newDraft, type EngineAnswer } from './drafting.js';
import { DeskInbox } from './inbox.js';

export { messageData, type EventListener } from './conversation-log.js';
export type { CatchUpOptions, CatchUpReport } from './catch-up.js';

/** What the desk needs of the answer engine (AnswerEngine fits). */
export interface DeskEngine {
  ask(tenant: TenantId, input: AskInput): Promise<AnswerDraft>;
  /**
   * Answer memory: keeps a reply an agent approved or wrote. Optional; when absent, or when it fails with
   * `unavailable` (no embedding model installed), replies are simply not remembered.
   */
  remember?(
    tenant: TenantId,
    input: { question: string; answer: string; origin: RememberedAnswer['origin']; conversationId?: string },
  ): Promise<unknown>;
}

export const handoffText = 'A person will join shortly.';

export interface DeskServiceOptions {
  store: Store;
  engine: DeskEngine;
  logger?: FastifyBaseLogger;
}

/**
 * The support desk: widget conversations, the answer engine's replies or drafts, escalations, the
 * per-conversation event log the widget's SSE stream reads (`log`), the tenant-wide events the agent console
 * follows (`deskEvents`), the agents' actions (`agent`) and the inbox (`inbox`).
 */
export class DeskService {
  readonly store: Store;
  readonly engine: DeskEngine;
  readonly logger: FastifyBaseLogger | undefined;
  readonly log: ConversationLog;
  readonly deskEvents: DeskEvents;
  readonly agent: AgentActions;
  readonly inbox: DeskInbox;
  /** One engine run at a time per conversation, in message order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private readonly catchUpSweeps = new CatchUp(this);

  constructor(options: DeskServiceOptions) {
    this.store = options.store;
    this.engine = options.engine;
    this.logger = options.logger;
    this.log = new ConversationLog(this.store, this.logger);
    this.deskEvents = new DeskEvents(this.store, this.logger);
    this.agent = new AgentActions(this);
    this.inbox = new DeskInbox(this.store);
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
    return this.log.events(tenant, conversationId, afterId);
  }

  /** Live events of a conversation (after they are stored). Returns the unsubscribe function. */
  subscribe(tenant: TenantId, conversationId: string, listener: EventListener): () => void {
    return this.log.subscribe(tenant, conversationId, listener);
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
    await this.deskEvents.conversation(tenant, conversationId, 'message');
    const done = this.inOrder(tenant, conversationId, () =>
      this.answer(tenant, conversationId, message, options.signal),
    ).catch((error: unknown) => {
      const context = { err: error, tenant, conversationId, messageId: message.id };
      // A busy engine refuses at once (its owner logs the overload once, not per message): the message waits
      // for the catch-up after the engine recovers, or for an agent, who can regenerate a draft.
      if (error instanceof AppError && error.code === 'unavailable')
        this.logger?.debug(context, 'the answer engine is busy; the visitor message waits for the catch-up');
      else this.logger?.error(context, 'the answer engine failed; the visitor message is kept for an agent');
    });
    return { message, done };
  }

  /**
   * Runs `work` after the conversation's earlier engine runs are over, one at a time in the order asked, so
   * replies never overtake each other; `idle()` waits for it. Settles as `work` does.
   */
  inOrder<T>(tenant: TenantId, conversationId: string, work: () => Promise<T>): Promise<T> {
    const key = `${tenant}/${conversationId}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    this.running.add(settled);
    void settled.finally(() => {
      this.running.delete(settled);
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }

  /**
   * Answers visitor messages left without a draft or reply (refused by a busy engine, or cut off by a restart):
   * recent ones, newest first, through the normal answer path, until the engine refuses again. Concurrent calls
   * share one sweep. See `CatchUp`.
   */
  catchUp(options: CatchUpOptions = {}): Promise<CatchUpReport> {
    return this.catchUpSweeps.run(options);
  }

  /** Settles when every engine run started so far is over. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /**
   * An agent resolves the conversation: in one store transaction its escalations close, drafts still pending
   * are discarded (nobody will send them) and `conversation.resolved` is logged; then the visitor hears it.
   */
  async resolve(tenant: TenantId, conversationId: string): Promise<Conversation> {
    const events = await this.store.desk.resolveConversation(tenant, conversationId, [
      { type: 'conversation.resolved', data: { conversationId, status: 'resolved' } },
    ]);
    this.log.notify(tenant, conversationId, events);
    await this.deskEvents.conversation(tenant, conversationId, 'status');
    return this.conversation(tenant, conversationId);
  }

  async rate(
    tenant: TenantId,
    conversationId: string,
    rating: number,
    comment: string | null,
  ): Promise<CsatRecord> {
    const record = await this.store.desk.saveCsat(tenant, { conversationId, rating, comment });
    await this.deskEvents.conversation(tenant, conversationId, 'csat'); // the open console shows it at once
    return record;
  }

  /**
   * Hands the conversation to a person: pending_human, an escalation for the queue, and (unless a person was
   * already called) "A person will join shortly." with `conversation.handoff` to the widget. The writes are one
   * store transaction; the widget and consoles hear of them after it.
   */
  async handOff(
    tenant: TenantId,
    conversationId: string,
    priority: Priority,
    reasons: EscalationReason[],
  ): Promise<Escalation> {
    const result = await this.store.desk.handOff(tenant, {
      conversationId,
      priority,
      reasons,
      notice: handoffText,
      announce: handOffEvents,
    });
    await this.announceHandOff(tenant, conversationId, result);
    return result.escalation;
  }

  /** Tells the widget (events stored with the handoff) and the consoles of a committed handoff. */
  private async announceHandOff(
    tenant: TenantId,
    conversationId: string,
    { escalation, events }: HandOffResult,
  ) {
    this.log.notify(tenant, conversationId, events);
    this.deskEvents.escalation(tenant, escalation);
    await this.deskEvents.conversation(tenant, conversationId, 'status');
  }

  /** Asks the engine for a public answer to a visitor message, with the conversation so far. */
  draftFor(
    tenant: TenantId,
    conversation: Conversation,
    message: Message,
    signal: AbortSignal | undefined,
  ): Promise<EngineAnswer> {
    return askEngine(this.store, this.engine, tenant, conversation, message, signal);
  }

  /**
   * The answer path of one stored visitor message: an auto reply to the visitor when the tenant allows it and
   * the engine is sure, otherwise a draft for the agents and, if the engine says so, a handoff. Callers run it
   * through `inOrder`. @throws what the engine throws (AppError `unavailable` when it is busy).
   */
  async answer(
    tenant: TenantId,
    conversationId: string,
    message: Message,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (signal?.aborted) return;
    const conversation = await this.conversation(tenant, conversationId);
    const result = await this.draftFor(tenant, conversation, message, signal);
    const { draft, citations } = result;
    if (signal?.aborted && !draft.complete) return; // the server is stopping; the message waits for an agent
    const settings = await this.store.desk.settings(tenant);
    const escalate = draft.escalation.escalate;
    const confident =
      settings.replyMode === 'auto' &&
      !escalate &&
      !draft.abstained &&
      draft.complete &&
      draft.confidence >= settings.autoReplyThreshold;
    // The store checks the conversation as it is now, in the same transaction as the writes: resolved or
    // answered meanwhile, no reply and no handoff; a person on it (called, assigned, or writing), no auto reply.
    const settled = await this.store.desk.settleAnswer(tenant, {
      draft: newDraft(conversationId, message.id, result),
      reply: confident ? { text: draft.answer, citations, announce: autoReplyEvents } : null,
      handOff:
        escalate && handsOff(draft.escalation.reasons, settings.handoffReasons)
          ? {
              priority: draft.escalation.priority ?? 'medium',
              reasons: draft.escalation.reasons,
              notice: handoffText,
              announce: handOffEvents,
            }
          : null,
    });
    if (settled.outcome === 'stale') {
      this.logger?.debug(
        { tenant, conversationId, messageId: message.id },
        'the conversation was resolved or answered while the engine drafted; its draft is kept as discarded',
      );
      return;
    }
    if (settled.outcome === 'replied') {
      this.log.notify(tenant, conversationId, settled.events);
      await this.deskEvents.conversation(tenant, conversationId, 'message');
      return;
    }
    this.deskEvents.draft(tenant, conversationId, settled.draft.id);
    if (settled.handOff) await this.announceHandOff(tenant, conversationId, settled.handOff);
  }
}
