import { ApiError } from './api.js';
import type { Translate } from './i18n.js';
import { buttonElement, textElement } from './render.js';
import { widgetCss } from './styles.js';
import type { WidgetConfig } from './theme.js';

const svgNs = 'http://www.w3.org/2000/svg';
const chatIcon = 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z';

/** What the panel's controls ask the widget to do. */
export interface PanelActions {
  toggle: () => void;
  close: () => void;
  /** The visitor sent the composer's text (button or Enter). */
  submit: (text: string) => void;
  talkToPerson: () => void;
}

/**
 * The widget's shell in a closed shadow root under the host element: the launcher button and the chat panel
 * (header, hand-off banner, the message log, typing line, survey, notice line, composer, "Talk to a person", and a
 * live region for screen readers). It draws and keeps focus inside the panel; the widget decides what happens.
 */
export class ChatPanel {
  /** The composer's text box: the widget reads, clears, focuses and (once resolved) disables it. */
  readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly humanButton: HTMLButtonElement;
  private readonly shadow: ShadowRoot;
  private readonly panel: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly banner: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly live: HTMLElement;

  constructor(
    host: HTMLElement,
    config: WidgetConfig,
    private readonly t: Translate,
    parts: { log: HTMLElement; csat: HTMLElement },
    actions: PanelActions,
  ) {
    const doc = host.ownerDocument;
    this.shadow = host.attachShadow({ mode: 'closed' });
    applyStyles(this.shadow, doc);

    const root = textElement(doc, 'div', `root pos-${config.position}${config.container ? ' inline' : ''}`);
    root.setAttribute('lang', config.lang);
    if (config.color) root.style.setProperty('--ad-accent', config.color);
    const title = config.title ?? t('defaultTitle');

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
    const close = buttonElement(doc, 'close', '×', t('close'));
    close.addEventListener('click', () => actions.close());
    header.appendChild(close);

    this.banner = textElement(doc, 'div', 'banner');
    this.banner.setAttribute('role', 'status');
    this.banner.hidden = true;
    this.typing = textElement(doc, 'div', 'typing', t('typing'));
    this.typing.hidden = true;
    this.notice = textElement(doc, 'p', 'error');
    this.notice.hidden = true;

    const form = textElement(doc, 'form', 'composer') as HTMLFormElement;
    this.input = doc.createElement('textarea');
    this.input.className = 'input';
    this.input.rows = 1;
    this.input.maxLength = 4000;
    this.input.placeholder = t('placeholder');
    this.input.setAttribute('aria-label', t('inputLabel'));
    this.sendButton = buttonElement(doc, 'send', t('send'));
    this.sendButton.type = 'submit';
    form.append(this.input, this.sendButton);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      actions.submit(this.input.value);
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        actions.submit(this.input.value);
      }
    });
    this.humanButton = buttonElement(doc, 'human', t('talkToPerson'));
    this.humanButton.addEventListener('click', () => actions.talkToPerson());

    this.live = textElement(doc, 'div', 'sr-only');
    this.live.setAttribute('aria-live', 'polite');

    this.panel.append(header, this.banner, parts.log, this.typing, parts.csat, this.notice, form);
    this.panel.append(this.humanButton, this.live);
    this.panel.addEventListener('keydown', (event) => this.onPanelKey(event, actions));

    this.launcher = buttonElement(doc, 'launcher', '', t('openChat'));
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-controls', this.panel.id);
    this.launcher.appendChild(icon(doc));
    this.launcher.addEventListener('click', () => actions.toggle());

    root.append(this.panel, this.launcher);
    this.shadow.appendChild(root);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** Opens or closes the panel and keeps the launcher's state and name in step. */
  setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.launcher.setAttribute('aria-label', this.t(open ? 'closeChat' : 'openChat'));
  }

  /** Send and "Talk to a person" are off while a message is under way and once the conversation is resolved. */
  setSendingDisabled(disabled: boolean): void {
    this.sendButton.disabled = disabled;
    this.humanButton.disabled = disabled;
  }

  focusLauncher(): void {
    this.launcher.focus();
  }

  /** Something inside the widget has focus (so disabling a control must not drop it onto the host page). */
  hasFocus(): boolean {
    return this.shadow.activeElement !== null;
  }

  /** The hand-off banner; once an agent has joined it stays that way (a later "pending" must not undo it). */
  showHandoff(agentJoined: boolean): void {
    if (this.banner.classList.contains('joined')) return;
    const text = this.t(agentJoined ? 'agentJoined' : 'humanPending');
    if (this.banner.textContent !== text) {
      this.banner.textContent = text;
      this.banner.classList.toggle('joined', agentJoined);
    }
    this.banner.hidden = false;
  }

  hideBanner(): void {
    this.banner.hidden = true;
  }

  /** Hidden and empty, so a fresh conversation can show "pending" again. */
  clearBanner(): void {
    this.banner.hidden = true;
    this.banner.classList.remove('joined');
    this.banner.textContent = '';
  }

  setTyping(visible: boolean): void {
    this.typing.hidden = !visible;
  }

  /** Reads `text` out to screen readers. */
  announce(text: string): void {
    this.live.textContent = text;
  }

  /** Shows a line under the log; `kind` says what it is about, so only that cause clears it. */
  showNotice(text: string, kind: string): void {
    this.notice.textContent = text;
    this.notice.dataset.kind = kind;
    this.notice.hidden = false;
  }

  get noticeKind(): string | undefined {
    return this.notice.dataset.kind;
  }

  /** Shows a failure politely (or clears the notice with null). */
  showError(error: unknown): void {
    if (error === null) {
      this.notice.hidden = true;
      this.notice.textContent = '';
      delete this.notice.dataset.kind;
      return;
    }
    this.showNotice(errorText(error, this.t), 'call');
    this.announce(this.notice.textContent ?? '');
  }

  /** Escape closes; Tab wraps around inside the panel. */
  private onPanelKey(event: KeyboardEvent, actions: PanelActions): void {
    if (event.key === 'Escape') {
      event.stopPropagation();
      actions.close();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [
      ...this.panel.querySelectorAll<HTMLElement>('button, textarea, a[href], [tabindex="0"]'),
    ].filter((el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && this.shadow.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && this.shadow.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
}

/** What the visitor reads for a failed call. */
export function errorText(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('failed');
  if (error.status === 429) return t('rateLimited', { n: error.retryAfterS ?? 30 });
  if (error.status === 413) return t('tooLong');
  if (error.status === 401 || error.status === 403) return t('unavailable');
  return t('failed');
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
