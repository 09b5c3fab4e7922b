import type { WireMessage } from './api.js';
import type { Translate } from './i18n.js';
import { messageElement, textElement } from './render.js';

/**
 * The conversation log: streamed replies grow in a bubble delta by delta, and the completed message replaces that
 * bubble. Completed ids are remembered so a replayed event (the stream resumes with Last-Event-ID, a reload lists
 * the history and then follows) never shows a message twice. All text goes in through render.ts, as text only.
 */
export class MessageList {
  /** The log element; the panel places it. */
  readonly element: HTMLElement;
  private readonly bubbles = new Map<string, HTMLElement>();
  private readonly completed = new Set<string>();

  constructor(
    private readonly doc: Document,
    private readonly t: Translate,
  ) {
    this.element = textElement(doc, 'div', 'log');
    this.element.setAttribute('role', 'log');
    // Deltas would be read out piece by piece: the panel's live region announces whole messages instead.
    this.element.setAttribute('aria-live', 'off');
    this.element.setAttribute('aria-label', t('messages'));
    this.element.tabIndex = 0;
    this.element.appendChild(this.greeting());
  }

  /** Adds a streamed piece of a reply, unless that reply has already completed. */
  showDelta(messageId: string, role: string, delta: string): void {
    if (this.completed.has(messageId)) return;
    let bubble = this.bubbles.get(messageId);
    if (!bubble) {
      const { element } = messageElement(this.doc, { role, text: '' }, this.t);
      bubble = element;
      this.bubbles.set(messageId, element);
      this.append(element);
    }
    const body = bubble.querySelector('.msg-text');
    if (body) body.textContent = (body.textContent ?? '') + delta;
    this.scrollDown();
  }

  /**
   * Shows a whole message (in place of its streamed bubble, if any). Returns its element, or null when it was
   * shown before. Does not scroll: the caller scrolls once it has updated the rest of the panel.
   */
  showCompleted(message: WireMessage): HTMLElement | null {
    if (this.completed.has(message.id)) return null;
    this.completed.add(message.id);
    const { element } = messageElement(this.doc, message, this.t);
    const streamed = this.bubbles.get(message.id);
    if (streamed) streamed.replaceWith(element);
    else this.append(element);
    this.bubbles.set(message.id, element);
    return element;
  }

  /** A reply is still arriving: it has deltas but no completed message yet. */
  isStreaming(): boolean {
    return [...this.bubbles.keys()].some((id) => !this.completed.has(id));
  }

  /** A line from the widget itself (such as "resolved"), not a message. */
  showNotice(text: string): void {
    this.append(textElement(this.doc, 'p', 'notice', text));
  }

  /** Back to the greeting alone, for a fresh conversation. */
  clear(): void {
    this.bubbles.clear();
    this.completed.clear();
    this.element.replaceChildren(this.greeting());
  }

  scrollDown(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  private append(element: HTMLElement): void {
    this.element.appendChild(element);
  }

  private greeting(): HTMLElement {
    return textElement(this.doc, 'p', 'greeting', this.t('greeting'));
  }
}
