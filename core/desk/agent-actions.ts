import type {
  AgentDraft,
  Citation,
  Escalation,
  InternalNote,
  Message,
  Priority,
} from '../contract/conversation.js';
import type { ConversationSummary } from '../contract/desk-api.js';
import { AppError, isAppError } from '../contract/errors.js';
import type { TenantId } from '../contract/tenant.js';
import { messageData } from './conversation-log.js';
import type { DeskService } from './desk-service.js';
import { newDraft } from './drafting.js';

/**
 * What an agent does to a conversation from the console. Each action is stored first (with its widget events, in
 * one transaction), then the widget (through the conversation's event log) and the consoles (through the desk
 * events) hear of it.
 */
export class AgentActions {
  constructor(private readonly desk: DeskService) {}

  /**
   * Sends the agent's reply to the visitor. With `draftId`, the draft is marked sent (the conversation's other
   * pending drafts are discarded) and the reply is kept in answer memory: `approved` when the text is the
   * draft's, `agent_written` when the agent edited it. Replying marks the conversation read. The draft is claimed
   * in the same store transaction as the message is written, so a draft sent twice at once goes out once.
   * @throws AppError `not_found` (conversation, draft), `conflict` (the draft was already sent or discarded).
   */
  async reply(
    tenant: TenantId,
    conversationId: string,
    input: { text: string; draftId?: string | undefined; agent: string },
  ): Promise<Message> {
    await this.desk.conversation(tenant, conversationId);
    // Read first for its citations (a draft's text never changes) and a clear error; the claim re-checks.
    const draft = input.draftId ? await this.pendingDraft(tenant, conversationId, input.draftId) : null;
    // The widget's message.completed is stored with the message (one transaction): a stored reply always
    // reaches the widget, and a failed one is not half sent (the agent may safely send again).
    const { message, events } = await this.desk.store.desk.sendAgentReply(tenant, {
      conversationId,
      text: input.text,
      citations: draft ? citedIn(input.text, draft.citations) : [],
      draftId: draft?.id,
      announce: (sent) => [{ type: 'message.completed', data: messageData(sent) }],
    });
    this.desk.log.notify(tenant, conversationId, events);
    await this.desk.deskEvents.conversation(tenant, conversationId, 'message');
    if (draft) await this.remember(tenant, draft, input.text);
    return message;
  }

  /**
   * A new AI draft for the latest visitor message, with the conversation so far. It waits its turn behind the
   * conversation's engine runs (`inOrder`), and is kept only if that message is still the latest and nobody
   * answered it while the engine drafted (an agent may regenerate after replying: that is asked for); then the pending drafts of that message and earlier ones are discarded (an engine
   * failure keeps them). @throws AppError `conflict` (nothing to draft, or the conversation moved on meanwhile:
   * reload it), `unavailable` (the engine is busy, or the draft was stopped).
   */
  regenerate(tenant: TenantId, conversationId: string, signal?: AbortSignal): Promise<AgentDraft> {
    return this.desk.inOrder(tenant, conversationId, async () => {
      const conversation = await this.desk.conversation(tenant, conversationId);
      const messages = await this.desk.messages(tenant, conversationId);
      const latest = messages.findLast((m) => m.role === 'visitor');
      if (!latest) {
        throw new AppError('conflict', 'the visitor has not written anything yet; there is nothing to draft');
      }
      const result = await this.desk.draftFor(tenant, conversation, latest, signal);
      if (signal?.aborted && !result.draft.complete) {
        // Half a draft nobody waits for (the agent left, or the server is stopping) replaces nothing.
        throw new AppError('unavailable', 'the new draft was stopped before it was finished; try again');
      }
      const saved = await this.desk.store.desk.saveRegeneratedDraft(
        tenant,
        newDraft(conversationId, latest.id, result),
        { messageId: messages.at(-1)!.id },
      );
      this.desk.deskEvents.draft(tenant, conversationId, saved.id);
      return saved;
    });
  }

  /**
   * Hands the conversation to a person at `priority`, for the reasons of its latest draft (none when it has
   * none); the note, if any, is kept as an internal note by `agent`.
   */
  async escalate(
    tenant: TenantId,
    conversationId: string,
    input: { agent: string; priority: Priority; note?: string | undefined },
  ): Promise<Escalation> {
    await this.desk.conversation(tenant, conversationId);
    const [latest] = await this.desk.store.desk.drafts(tenant, { conversationId, limit: 1 });
    const escalation = await this.desk.handOff(tenant, conversationId, input.priority, latest?.reasons ?? []);
    if (input.note) await this.note(tenant, conversationId, input.agent, input.note);
    return escalation;
  }

  async resolve(tenant: TenantId, conversationId: string): Promise<ConversationSummary> {
    await this.desk.resolve(tenant, conversationId);
    return this.summary(tenant, conversationId);
  }

  /**
   * Sets (or with null clears) the agent working on the conversation. Its active escalations follow: assigned
   * when someone takes it, open again when nobody has it.
   */
  async assign(
    tenant: TenantId,
    conversationId: string,
    assignee: string | null,
  ): Promise<ConversationSummary> {
    // One transaction: the assignee and its active escalations (assigned / open again) change together. No
    // `escalation` event: that one announces a new escalation (consoles notify on it); the queue refetches on the
    // `assignment` change below.
    await this.desk.store.desk.assignConversation(tenant, conversationId, assignee);
    await this.desk.deskEvents.conversation(tenant, conversationId, 'assignment');
    return this.summary(tenant, conversationId);
  }

  async note(tenant: TenantId, conversationId: string, author: string, text: string): Promise<InternalNote> {
    const note = await this.desk.store.desk.addNote(tenant, { conversationId, author, text });
    await this.desk.deskEvents.conversation(tenant, conversationId, 'note');
    return note;
  }

  async read(tenant: TenantId, conversationId: string): Promise<ConversationSummary> {
    await this.desk.store.conversations.markRead(tenant, conversationId);
    await this.desk.deskEvents.conversation(tenant, conversationId, 'read');
    return this.summary(tenant, conversationId);
  }

  private async summary(tenant: TenantId, conversationId: string): Promise<ConversationSummary> {
    const summary = await this.desk.store.conversations.summary(tenant, conversationId);
    if (!summary) throw new AppError('not_found', `conversation ${conversationId} does not exist`);
    return summary;
  }

  private async pendingDraft(tenant: TenantId, conversationId: string, draftId: string): Promise<AgentDraft> {
    const drafts = await this.desk.store.desk.drafts(tenant, { conversationId, limit: 1000 });
    const draft = drafts.find((d) => d.id === draftId);
    if (!draft) {
      throw new AppError('not_found', `draft ${draftId} does not exist in conversation ${conversationId}`);
    }
    if (draft.status !== 'pending') {
      throw new AppError(
        'conflict',
        `draft ${draftId} was already ${draft.status}; reload the conversation and reply to its newest draft`,
      );
    }
    return draft;
  }

  /** Answer memory is best effort: the reply is sent whatever happens here. */
  private async remember(tenant: TenantId, draft: AgentDraft, text: string): Promise<void> {
    const remember = this.desk.engine.remember?.bind(this.desk.engine);
    if (!remember) return;
    const messages = await this.desk.messages(tenant, draft.conversationId);
    const question = messages.find((m) => m.id === draft.messageId)?.text;
    if (!question) return;
    const origin = text.trim() === draft.text.trim() ? 'approved' : 'agent_written';
    try {
      await remember(tenant, { question, answer: text, origin, conversationId: draft.conversationId });
    } catch (error) {
      if (isAppError(error) && error.code === 'unavailable') return; // no embedding model: memory is off
      this.desk.logger?.warn(
        { err: error, tenant, conversationId: draft.conversationId },
        'could not keep the reply in answer memory',
      );
    }
  }
}

/**
 * The draft's sources the sent text still cites: a draft's [n] is its n-th citation, and an agent who cut a
 * sentence (or every marker) should not send the visitor a source for it.
 */
export function citedIn(text: string, citations: readonly Citation[]): Citation[] {
  const markers = new Set([...text.matchAll(/\[(\d{1,3})\]/g)].map((m) => Number(m[1])));
  return citations.filter((_, index) => markers.has(index + 1));
}
