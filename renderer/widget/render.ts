import type { MessageRole } from '../../core/contract/conversation.js';
import type { WireCitation } from './api.js';
import type { StringKey } from './i18n.js';
import { safeHttpUrl } from './theme.js';

/**
 * Building message elements. Everything that came from the server or the visitor goes in as text (textContent or
 * attribute values, never innerHTML), so a reply containing `<script>` or `<img onerror>` shows as those characters.
 */
type Translate = (key: StringKey) => string;

const roles: readonly MessageRole[] = ['visitor', 'assistant', 'agent', 'system'];

/** The role if it is one we know, else `system` (so an unknown role never becomes an arbitrary class name). */
export function knownRole(role: string): MessageRole {
  return (roles as readonly string[]).includes(role) ? (role as MessageRole) : 'system';
}

const roleLabel: Record<MessageRole, StringKey> = {
  visitor: 'you',
  assistant: 'assistant',
  agent: 'agent',
  system: 'system',
};

export function roleName(role: MessageRole, t: Translate): string {
  return t(roleLabel[role]);
}

/** A citation as a link when it has an http(s) URL, else as its plain title (or document id). */
export function citationTarget(citation: WireCitation): { label: string; href: string | null } {
  const label = (citation.title || citation.docId || '').trim() || 'source';
  return { label: label.slice(0, 200), href: safeHttpUrl(citation.url) };
}

/** `<tag class=...>text</tag>`, with the text set as text. */
export function textElement(doc: Document, tag: string, className: string, text = ''): HTMLElement {
  const element = doc.createElement(tag);
  element.className = className;
  if (text) element.textContent = text;
  return element;
}

/** A `type="button"` button (so it never submits the composer), with an accessible name when its text is a symbol. */
export function buttonElement(
  doc: Document,
  className: string,
  text: string,
  label?: string,
): HTMLButtonElement {
  const button = textElement(doc, 'button', className, text) as HTMLButtonElement;
  button.type = 'button';
  if (label) button.setAttribute('aria-label', label);
  return button;
}

/** The list of sources under a reply, or null when it has none. */
export function citationList(
  doc: Document,
  citations: WireCitation[] | undefined,
  t: Translate,
): HTMLElement | null {
  if (!citations || citations.length === 0) return null;
  const box = textElement(doc, 'div', 'sources');
  box.appendChild(textElement(doc, 'span', 'sources-label', t('sources')));
  const list = doc.createElement('ul');
  for (const citation of citations.slice(0, 10)) {
    const { label, href } = citationTarget(citation);
    const item = doc.createElement('li');
    if (href) {
      const link = textElement(doc, 'a', 'source-link', label) as HTMLAnchorElement;
      link.setAttribute('href', href);
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer');
      if (citation.quote) link.setAttribute('title', citation.quote.slice(0, 300));
      item.appendChild(link);
    } else {
      item.appendChild(textElement(doc, 'span', 'source-title', label));
    }
    list.appendChild(item);
  }
  box.appendChild(list);
  return box;
}

/** One message: a screen-reader label ("You:"), the text, and the sources when there are any. */
export function messageElement(
  doc: Document,
  message: { role: string; text: string; citations?: WireCitation[] },
  t: Translate,
): { element: HTMLElement; body: HTMLElement } {
  const role = knownRole(message.role);
  const element = textElement(doc, 'div', `msg msg-${role}`);
  element.appendChild(textElement(doc, 'span', 'sr-only', roleName(role, t) + ': '));
  const body = textElement(doc, 'p', 'msg-text', message.text);
  element.appendChild(body);
  const sources = citationList(doc, message.citations, t);
  if (sources) element.appendChild(sources);
  return { element, body };
}
