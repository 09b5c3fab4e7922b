import type { ConversationStatus } from '../../core/contract/conversation.js';
import { ApiError, WidgetApi, type WireMessage } from './api.js';
import { translator, type StringKey } from './i18n.js';
import { previewExchange, sampleConversation } from './preview.js';
import { messageElement, textElement } from './render.js';
import type { SseEvent } from './sse.js';
import { widgetCss } from './styles.js';
import type { WidgetConfig } from './theme.js';

/** The text "Talk to a person" sends: one fixed phrase in every language, so the desk recognises the request. */
export const humanRequestText = 'I would like to talk to a person';

interface Session {
  conversationId: string;
  visitorToken: string;
  lastEventId: string;
  open?: boolean;
  rated?: boolean;
}

const svgNs = 'http://www.w3.org/2000/svg';
const chatIcon = 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z';

/** The widget: a launcher button and a chat panel in a closed shadow root under `host`. */
export class ChatWidget {
  private readonly t: (key: StringKey, vars?: Record<string, string | number>) => string;
  private readonly api: WidgetApi;
  private readonly storageKey: string;
  private session: Session | null;
  private status: ConversationStatus = 'open';
  private restored = false;
  private sending = false;
  private awaitingReply = false;
  private stream: AbortController | null = null;
  private readonly bubbles = new Map<string, HTMLElement>();
  private readonly completed = new Set<string>();

  private readonly shadow: ShadowRoot;
  private readonly root: HTMLElement;
  private readonly newButton: HTMLButtonElement;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly log: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly csat: HTMLElement;
  private readonly stars: HTMLButtonElement[] = [];
  private readonly error: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly humanButton: HTMLButtonElement;
  private readonly live: HTMLElement;

  constructor(
    private readonly host: HTMLElement,
    private readonly config: WidgetConfig,
  ) {
    this.t = translator(config.lang);
    this.api = new WidgetApi(config.apiBase, config.key);
    this.storageKey = `airdesk-widget:${config.key}`;
    // A preview has no conversation: it neither restores nor stores one.
    this.session = config.preview ? null : this.loadSession();
    const doc = host.ownerDocument;
    const shadow = host.attachShadow({ mode: 'closed' });
    this.shadow = shadow;
    applyStyles(shadow, doc);

    this.root = textElement(doc, 'div', `root pos-${config.position}${config.container ? ' inline' : ''}`);
    this.root.setAttribute('lang', config.lang);
    if (config.color) this.root.style.setProperty('--ad-accent', config.color);
    const title = config.title ?? this.t('defaultTitle');

    this.panel = textElement(doc, 'div', 'panel');
    this.panel.id = 'airdesk-panel';
    this.panel.hidden = true;
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('aria-label', title);

    const header = textElement(doc, 'div', 'header');
    if (config.logo) {
      const logo = doc.createElement('img');
      logo.className = 'logo';
      logo.alt = '';
      logo.src = config.logo;
      header.appendChild(logo);
    }
    header.appendChild(textElement(doc, 'h2', 'title', title));
    const close = this.button('close', '×', this.t('close'));
    close.addEventListener('click', () => this.close());
    header.appendChild(close);

    this.banner = textElement(doc, 'div', 'banner');
    this.banner.setAttribute('role', 'status');
    this.banner.hidden = true;
    this.log = textElement(doc, 'div', 'log');
    this.log.setAttribute('role', 'log');
    // Deltas would be read out piece by piece: the live region below announces whole messages instead.
    this.log.setAttribute('aria-live', 'off');
    this.log.setAttribute('aria-label', this.t('messages'));
    this.log.tabIndex = 0;
    this.log.appendChild(textElement(doc, 'p', 'greeting', this.t('greeting')));
    this.typing = textElement(doc, 'div', 'typing', this.t('typing'));
    this.typing.hidden = true;
    this.newButton = this.button('new', this.t('newConversation'));
    this.newButton.addEventListener('click', () => this.startOver());
    this.csat = this.buildCsat(doc, this.newButton);
    this.error = textElement(doc, 'p', 'error');
    this.error.hidden = true;

    const form = textElement(doc, 'form', 'composer') as HTMLFormElement;
    this.input = doc.createElement('textarea');
    this.input.className = 'input';
    this.input.rows = 1;
    this.input.maxLength = 4000;
    this.input.placeholder = this.t('placeholder');
    this.input.setAttribute('aria-label', this.t('inputLabel'));
    this.sendButton = this.button('send', this.t('send'));
    this.sendButton.type = 'submit';
    form.append(this.input, this.sendButton);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send(this.input.value, true);
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.send(this.input.value, true);
      }
    });
    this.humanButton = this.button('human', this.t('talkToPerson'));
    this.humanButton.addEventListener('click', () => void this.send(humanRequestText, false));

    this.live = textElement(doc, 'div', 'sr-only');
    this.live.setAttribute('aria-live', 'polite');

    this.panel.append(header, this.banner, this.log, this.typing, this.csat, this.error, form);
    this.panel.append(this.humanButton, this.live);
    this.panel.addEventListener('keydown', (event) => this.onPanelKey(event, shadow));

    this.launcher = this.button('launcher', '', this.t('openChat'));
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-controls', this.panel.id);
    this.launcher.appendChild(icon(doc));
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));

    this.root.append(this.panel, this.launcher);
    shadow.appendChild(this.root);
    if (config.preview) this.showPreview();
    else if (this.session?.open) this.open(false);
  }

  open(focus = true): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.launcher.setAttribute('aria-label', this.t('closeChat'));
    this.remember({ open: true });
    if (focus) this.input.focus();
    void this.restore();
  }

  close(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-label', this.t('openChat'));
    this.remember({ open: false });
    this.launcher.focus();
  }

  private button(className: string, text: string, label?: string): HTMLButtonElement {
    const button = textElement(this.host.ownerDocument, 'button', className, text) as HTMLButtonElement;
    button.type = 'button';
    if (label) button.setAttribute('aria-label', label);
    return button;
  }

  private buildCsat(doc: Document, again: HTMLButtonElement): HTMLElement {
    const box = textElement(doc, 'div', 'csat');
    box.hidden = true;
    box.appendChild(textElement(doc, 'p', 'csat-question', this.t('csatQuestion')));
    const group = textElement(doc, 'div', 'stars');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', this.t('csatQuestion'));
    for (let n = 1; n <= 5; n++) {
      const star = this.button('star', '★', this.t('csatStar', { n }));
      star.addEventListener('click', () => void this.rate(n));
      this.stars.push(star);
      group.appendChild(star);
    }
    box.append(group, again);
    return box;
  }

  /** Escape closes; Tab wraps around inside the panel. */
  private onPanelKey(event: KeyboardEvent, shadow: ShadowRoot): void {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.close();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [
      ...this.panel.querySelectorAll<HTMLElement>('button, textarea, a[href], [tabindex="0"]'),
    ].filter((el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && shadow.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && shadow.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  private loadSession(): Session | null {
    try {
      const parsed = JSON.parse(sessionStorage.getItem(this.storageKey) ?? 'null') as Session | null;
      if (parsed && typeof parsed.conversationId === 'string' && typeof parsed.visitorToken === 'string') {
        return { ...parsed, lastEventId: String(parsed.lastEventId ?? '') };
      }
    } catch {
      // Storage blocked or garbage: start afresh.
    }
    return null;
  }

  private remember(change: Partial<Session>): void {
    if (!this.session) return;
    this.session = { ...this.session, ...change };
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify(this.session));
    } catch {
      // Storage blocked: the conversation still works until the page reloads.
    }
  }

  private forget(): void {
    this.session = null;
    this.api.visitorToken = null;
    try {
      sessionStorage.removeItem(this.storageKey);
    } catch {
      // Nothing stored anyway.
    }
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
      if (error instanceof ApiError && (error.status === 401 || error.status === 404)) this.forget();
      else this.showError(error);
    }
  }

  private async ensureConversation(): Promise<Session> {
    if (this.session) return this.session;
    const { conversationId, visitorToken } = await this.api.startConversation();
    this.session = { conversationId, visitorToken, lastEventId: '', open: !this.panel.hidden };
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
    this.sendButton.disabled = true;
    this.humanButton.disabled = true;
    this.showError(null);
    try {
      const session = await this.ensureConversation();
      const { messageId } = await this.api.sendMessage(session.conversationId, text);
      if (fromInput) this.input.value = '';
      this.showCompleted({ id: messageId, role: 'visitor', text }, false);
      this.awaitingReply = true;
      this.updateTyping();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 404)) this.forget();
      this.showError(error);
    } finally {
      this.sending = false;
      // The conversation may have been resolved meanwhile (an event arrived while the call was under way).
      this.sendButton.disabled = this.isResolved();
      this.humanButton.disabled = this.isResolved();
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
    if (fromInput) this.input.value = '';
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
    const session = this.session;
    if (!session || this.stream) return;
    const stream = new AbortController();
    this.stream = stream;
    void this.api.followEvents(session.conversationId, {
      lastEventId: session.lastEventId,
      signal: stream.signal,
      onEvent: (event) => this.onEvent(event),
      onOpen: () => {
        if (this.error.dataset.kind === 'stream') this.showError(null);
      },
      onDrop: () => this.showNotice(this.t('reconnecting'), 'stream'),
      onRefused: () => {
        this.stream = null;
        this.forget();
      },
    });
  }

  private stopFollowing(): void {
    this.stream?.abort();
    this.stream = null;
  }

  private onEvent(event: SseEvent): void {
    const data = parseObject(event.data);
    if (!data) return;
    switch (event.event) {
      case 'message.delta':
        this.showDelta(data);
        break;
      case 'message.completed': {
        const message = (data.message ?? data) as Partial<WireMessage> & { messageId?: string };
        const id = message.id ?? message.messageId;
        if (typeof id === 'string' && typeof message.text === 'string') {
          this.showCompleted(
            { id, role: message.role ?? 'assistant', text: message.text, citations: message.citations },
            true,
          );
        }
        break;
      }
      case 'conversation.handoff': {
        const joined = data.state === 'joined' || data.joined === true || typeof data.agent === 'object';
        this.awaitingReply = false;
        this.setStatus('pending_human', joined);
        break;
      }
      case 'conversation.resolved':
        this.setStatus('resolved');
        break;
      default:
        break;
    }
    if (event.id) this.remember({ lastEventId: event.id });
    this.updateTyping();
  }

  private showDelta(data: Record<string, unknown>): void {
    const id = data.messageId ?? data.id;
    const delta = data.delta ?? data.text;
    if (typeof id !== 'string' || typeof delta !== 'string' || this.completed.has(id)) return;
    let bubble = this.bubbles.get(id);
    if (!bubble) {
      const role = typeof data.role === 'string' ? data.role : 'assistant';
      const { element } = messageElement(this.host.ownerDocument, { role, text: '' }, this.t);
      bubble = element;
      this.bubbles.set(id, element);
      this.append(element);
    }
    const body = bubble.querySelector('.msg-text');
    if (body) body.textContent = (body.textContent ?? '') + delta;
    this.scrollDown();
  }

  private showCompleted(message: WireMessage, announce: boolean): void {
    if (this.completed.has(message.id)) return;
    this.completed.add(message.id);
    const { element } = messageElement(this.host.ownerDocument, message, this.t);
    const streamed = this.bubbles.get(message.id);
    if (streamed) streamed.replaceWith(element);
    else this.append(element);
    this.bubbles.set(message.id, element);
    if (message.role === 'assistant' || message.role === 'agent') this.awaitingReply = false;
    if (message.role === 'agent' && this.status !== 'resolved') this.setStatus('pending_human', true);
    if (announce && message.role !== 'visitor') {
      this.announce(`${element.querySelector('.sr-only')?.textContent ?? ''}${message.text}`);
    }
    this.scrollDown();
  }

  private setStatus(status: ConversationStatus, agentJoined = false): void {
    this.status = status;
    if (status === 'pending_human' && !this.banner.classList.contains('joined')) {
      const text = this.t(agentJoined ? 'agentJoined' : 'humanPending');
      if (this.banner.textContent !== text) {
        this.banner.textContent = text;
        this.banner.classList.toggle('joined', agentJoined);
      }
      this.banner.hidden = false;
    }
    const resolved = status === 'resolved';
    // Disabling the focused input would drop focus to the host page, out of reach of Escape and Tab.
    const hadFocus = this.shadow.activeElement !== null;
    this.input.disabled = resolved;
    this.sendButton.disabled = resolved;
    this.humanButton.disabled = resolved;
    if (resolved && this.csat.hidden) {
      this.awaitingReply = false;
      this.stopFollowing();
      this.banner.hidden = true;
      this.append(textElement(this.host.ownerDocument, 'p', 'notice', this.t('resolved')));
      this.csat.hidden = false;
      if (this.session?.rated) this.showThanks();
      else if (hadFocus && !this.panel.hidden) this.stars[0]?.focus();
      this.announce(this.t('resolved') + (this.session?.rated ? '' : ' ' + this.t('csatQuestion')));
      this.scrollDown();
    }
    this.updateTyping();
  }

  private async rate(rating: number): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.stars.forEach((star, i) => {
      star.classList.toggle('on', i < rating);
      star.disabled = true;
    });
    try {
      await this.api.rate(session.conversationId, rating);
      this.remember({ rated: true });
      this.showThanks();
      this.announce(this.t('csatThanks'));
      // The star that had focus is disabled now: keep focus in the panel.
      this.newButton.focus();
    } catch (error) {
      this.stars.forEach((star) => (star.disabled = false));
      this.showError(error);
    }
  }

  private showThanks(): void {
    const question = this.csat.querySelector('.csat-question');
    if (question) question.textContent = this.t('csatThanks');
    this.stars.forEach((star) => (star.disabled = true));
  }

  /** After a resolved conversation: a fresh, empty one (created when the visitor writes). */
  private startOver(): void {
    this.stopFollowing();
    this.forget();
    this.status = 'open';
    this.bubbles.clear();
    this.completed.clear();
    this.log.replaceChildren(textElement(this.host.ownerDocument, 'p', 'greeting', this.t('greeting')));
    this.banner.hidden = true;
    this.banner.classList.remove('joined');
    this.banner.textContent = '';
    this.csat.hidden = true;
    const question = this.csat.querySelector('.csat-question');
    if (question) question.textContent = this.t('csatQuestion');
    this.stars.forEach((star) => {
      star.disabled = false;
      star.classList.remove('on');
    });
    this.setStatus('open');
    this.input.focus();
  }

  private isResolved(): boolean {
    return this.status === 'resolved';
  }

  private updateTyping(): void {
    const streaming = [...this.bubbles.keys()].some((id) => !this.completed.has(id));
    this.typing.hidden = !(this.awaitingReply || streaming) || this.status === 'resolved';
  }

  private append(element: HTMLElement): void {
    this.log.appendChild(element);
  }

  private scrollDown(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  private showNotice(text: string, kind: string): void {
    this.error.textContent = text;
    this.error.dataset.kind = kind;
    this.error.hidden = false;
  }

  /** Shows a failure politely (or clears it with null). */
  private showError(error: unknown): void {
    if (error === null) {
      this.error.hidden = true;
      this.error.textContent = '';
      delete this.error.dataset.kind;
      return;
    }
    this.showNotice(errorText(error, this.t), 'call');
    this.announce(this.error.textContent ?? '');
  }
}

/** What the visitor reads for a failed call. */
export function errorText(
  error: unknown,
  t: (key: StringKey, vars?: Record<string, string | number>) => string,
): string {
  if (!(error instanceof ApiError)) return t('failed');
  if (error.status === 429) return t('rateLimited', { n: error.retryAfterS ?? 30 });
  if (error.status === 413) return t('tooLong');
  if (error.status === 401 || error.status === 403) return t('unavailable');
  return t('failed');
}

/** An event's JSON payload when it is an object, else null (such events are skipped). */
function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function applyStyles(shadow: ShadowRoot, doc: Document): void {
  // A constructed sheet is not inline CSS, so a host page's strict CSP (no 'unsafe-inline' styles) does not block it.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(widgetCss);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    const style = doc.createElement('style');
    style.textContent = widgetCss;
    shadow.appendChild(style);
  }
}

function icon(doc: Document): SVGElement {
  const svg = doc.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = doc.createElementNS(svgNs, 'path');
  path.setAttribute('d', chatIcon);
  svg.appendChild(path);
  return svg;
}
