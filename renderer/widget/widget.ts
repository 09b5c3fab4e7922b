import type { ConversationStatus } from '../../core/contract/conversation.js';
import { ApiError, WidgetApi, type WireMessage } from './api.js';
import { ConversationStream, type ConversationEvent } from './conversation-stream.js';
import { CsatPrompt } from './csat.js';
import { translator, type Translate } from './i18n.js';
import { MessageList } from './message-list.js';
import { ChatPanel } from './panel.js';
import { previewExchange, sampleConversation } from './preview.js';
import { SessionStore, type Session } from './session.js';
import type { WidgetConfig } from './theme.js';

/** The text "Talk to a person" sends: one fixed phrase in every language, so the desk recognises the request. */
export const humanRequestText = 'I would like to talk to a person';

/**
 * The widget: a launcher button and a chat panel in a closed shadow root under `host`. This class holds the
 * conversation's state (session, status, whether a reply is awaited) and ties the parts together: the panel
 * (panel.ts), the message log (message-list.ts), the event stream (conversation-stream.ts) and the survey (csat.ts).
 */
export class ChatWidget {
  private readonly t: Translate;
  private readonly api: WidgetApi;
  private readonly sessions: SessionStore;
  private session: Session | null;
  private status: ConversationStatus = 'open';
  private restored = false;
  private sending = false;
  private awaitingReply = false;
  private readonly messages: MessageList;
  private readonly csat: CsatPrompt;
  private readonly panel: ChatPanel;
  private readonly stream: ConversationStream;

  constructor(
    host: HTMLElement,
    private readonly config: WidgetConfig,
  ) {
    this.t = translator(config.lang);
    this.api = new WidgetApi(config.apiBase, config.key);
    this.sessions = new SessionStore(config.key);
    // A preview has no conversation: it neither restores nor stores one.
    this.session = config.preview ? null : this.sessions.load();
    const doc = host.ownerDocument;
    this.messages = new MessageList(doc, this.t);
    this.csat = new CsatPrompt(doc, this.t, {
      rate: (rating) => void this.rate(rating),
      startOver: () => this.startOver(),
    });
    this.panel = new ChatPanel(
      host,
      config,
      this.t,
      { log: this.messages.element, csat: this.csat.element },
      {
        toggle: () => (this.panel.isOpen ? this.close() : this.open()),
        close: () => this.close(),
        submit: (text) => void this.send(text, true),
        talkToPerson: () => void this.send(humanRequestText, false),
      },
    );
    this.stream = new ConversationStream(this.api, {
      onEvent: (event, eventId) => this.onEvent(event, eventId),
      onOpen: () => {
        if (this.panel.noticeKind === 'stream') this.panel.showError(null);
      },
      onDrop: () => this.panel.showNotice(this.t('reconnecting'), 'stream'),
      onRefused: () => this.forget(),
    });
    if (config.preview) this.showPreview();
    else if (this.session?.open) this.open(false);
  }

  open(focus = true): void {
    this.panel.setOpen(true);
    this.remember({ open: true });
    if (focus) this.panel.input.focus();
    void this.restore();
  }

  close(): void {
    this.panel.setOpen(false);
    this.remember({ open: false });
    this.panel.focusLauncher();
  }

  private remember(change: Partial<Session>): void {
    if (!this.session) return;
    this.session = { ...this.session, ...change };
    this.sessions.save(this.session);
  }

  private forget(): void {
    this.session = null;
    this.api.visitorToken = null;
    this.sessions.clear();
  }

  /** After a reload: shows the conversation so far and follows its events again. */
  private async restore(): Promise<void> {
    if (this.restored || !this.session) return;
    this.restored = true;
    const session = this.session;
    this.api.visitorToken = session.visitorToken;
    try {
      const { status, messages } = await this.api.listMessages(session.conversationId);
      for (const message of messages) this.showCompleted(message, false);
      this.setStatus(status);
      if (status !== 'resolved') this.follow();
    } catch (error) {
      if (conversationGone(error)) this.forget();
      else this.panel.showError(error);
    }
  }

  private async ensureConversation(): Promise<Session> {
    if (this.session) return this.session;
    const { conversationId, visitorToken } = await this.api.startConversation();
    this.session = { conversationId, visitorToken, lastEventId: '', open: this.panel.isOpen };
    this.restored = true;
    this.api.visitorToken = visitorToken;
    this.remember({});
    this.follow();
    return this.session;
  }

  private async send(raw: string, fromInput: boolean): Promise<void> {
    const text = raw.trim();
    if (!text || this.sending || this.status === 'resolved') return;
    if (this.config.preview) {
      this.answerLocally(text, fromInput);
      return;
    }
    this.sending = true;
    this.panel.setSendingDisabled(true);
    this.panel.showError(null);
    try {
      const session = await this.ensureConversation();
      const { messageId } = await this.api.sendMessage(session.conversationId, text);
      if (fromInput) this.panel.input.value = '';
      this.showCompleted({ id: messageId, role: 'visitor', text }, false);
      this.awaitingReply = true;
      this.updateTyping();
    } catch (error) {
      if (conversationGone(error)) this.forget();
      this.panel.showError(error);
    } finally {
      this.sending = false;
      // The conversation may have been resolved meanwhile (an event arrived while the call was under way).
      this.panel.setSendingDisabled(this.status === 'resolved');
    }
  }

  /** The preview's opening: the sample conversation in an open panel, without taking the page's focus. */
  private showPreview(): void {
    for (const message of sampleConversation(this.t)) this.showCompleted(message, false);
    this.open(false);
  }

  /** A preview answers locally; "Talk to a person" shows the hand-off banner a visitor would see. */
  private answerLocally(text: string, fromInput: boolean): void {
    const [question, reply] = previewExchange(text, this.t);
    if (fromInput) this.panel.input.value = '';
    this.showCompleted(question, false);
    if (!fromInput) {
      this.setStatus('pending_human');
      return;
    }
    this.awaitingReply = true;
    this.updateTyping();
    setTimeout(() => {
      this.showCompleted(reply, true);
      this.updateTyping();
    }, 400);
  }

  private follow(): void {
    if (this.session) this.stream.follow(this.session.conversationId, this.session.lastEventId);
  }

  private onEvent(event: ConversationEvent, eventId: string): void {
    switch (event.kind) {
      case 'delta':
        this.messages.showDelta(event.messageId, event.role, event.delta);
        break;
      case 'completed':
        this.showCompleted(event.message, true);
        break;
      case 'handoff':
        this.awaitingReply = false;
        this.setStatus('pending_human', event.joined);
        break;
      case 'resolved':
        this.setStatus('resolved');
        break;
      case 'ignored':
        break;
    }
    if (eventId) this.remember({ lastEventId: eventId });
    this.updateTyping();
  }

  private showCompleted(message: WireMessage, announce: boolean): void {
    const element = this.messages.showCompleted(message);
    if (!element) return;
    if (message.role === 'assistant' || message.role === 'agent') this.awaitingReply = false;
    if (message.role === 'agent' && this.status !== 'resolved') this.setStatus('pending_human', true);
    if (announce && message.role !== 'visitor') {
      this.panel.announce(`${element.querySelector('.sr-only')?.textContent ?? ''}${message.text}`);
    }
    // Last, after the banner may have appeared and shrunk the log.
    this.messages.scrollDown();
  }

  private setStatus(status: ConversationStatus, agentJoined = false): void {
    this.status = status;
    if (status === 'pending_human') this.panel.showHandoff(agentJoined);
    const resolved = status === 'resolved';
    // Disabling the focused input would drop focus to the host page, out of reach of Escape and Tab.
    const hadFocus = this.panel.hasFocus();
    this.panel.input.disabled = resolved;
    this.panel.setSendingDisabled(resolved);
    if (resolved && this.csat.hidden) {
      this.awaitingReply = false;
      this.stream.stop();
      this.panel.hideBanner();
      this.messages.showNotice(this.t('resolved'));
      this.csat.show();
      if (this.session?.rated) this.csat.showThanks();
      else if (hadFocus && this.panel.isOpen) this.csat.focusFirstStar();
      this.panel.announce(this.t('resolved') + (this.session?.rated ? '' : ' ' + this.t('csatQuestion')));
      this.messages.scrollDown();
    }
    this.updateTyping();
  }

  private async rate(rating: number): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.csat.lock(rating);
    try {
      await this.api.rate(session.conversationId, rating);
      this.remember({ rated: true });
      this.csat.showThanks();
      this.panel.announce(this.t('csatThanks'));
      this.csat.focusNewConversation();
    } catch (error) {
      this.csat.unlock();
      this.panel.showError(error);
    }
  }

  /** After a resolved conversation: a fresh, empty one (created when the visitor writes). */
  private startOver(): void {
    this.stream.stop();
    this.forget();
    this.status = 'open';
    this.messages.clear();
    this.panel.clearBanner();
    this.csat.reset();
    this.setStatus('open');
    this.panel.input.focus();
  }

  private updateTyping(): void {
    const replying = this.awaitingReply || this.messages.isStreaming();
    this.panel.setTyping(replying && this.status !== 'resolved');
  }
}

/** The server no longer knows this visitor's conversation (or token): the stored session is useless. */
function conversationGone(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 404);
}
