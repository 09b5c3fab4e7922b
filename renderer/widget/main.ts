/**
 * widget.js: the entry of the embeddable chat widget, built into one IIFE (vite.widget.config.ts). An intranet page
 * embeds it with `<script src="http://HOST:PORT/widget.js" data-key="pk_..." async></script>`; the widget API is the
 * script's own origin.
 */
import { ConfigError, parseConfig } from './theme.js';
import { ChatWidget } from './widget.js';

const flag = '__airdeskWidget';

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[data-key][src*="widget.js"]');
}

/** Where the widget goes: the page's body, or the element `data-container` names (emptied first). */
function place(selector: string | null): HTMLElement {
  if (!selector) return document.body;
  let container: Element | null = null;
  try {
    container = document.querySelector(selector);
  } catch {
    // An invalid selector: reported below like a missing element.
  }
  if (!(container instanceof HTMLElement)) {
    throw new ConfigError(`airdesk widget: data-container "${selector}" names no element on this page`);
  }
  // A preview mounts again after each theme change: the new widget replaces the old one.
  container.replaceChildren();
  return container;
}

function mount(script: HTMLScriptElement): void {
  const config = parseConfig((name) => script.getAttribute(name), script.src, document.documentElement.lang);
  const parent = place(config.container);
  const host = document.createElement('airdesk-widget');
  // The page's stylesheets (even `* { display: none !important }`) lose to inline !important declarations.
  for (const [name, value] of [
    ['display', 'block'],
    ['position', 'static'],
    ['visibility', 'visible'],
    ['opacity', '1'],
    ['width', '0'],
    ['height', '0'],
  ] as const) {
    host.style.setProperty(name, value, 'important');
  }
  parent.appendChild(host);
  new ChatWidget(host, config);
}

function start(script: HTMLScriptElement | null): void {
  const run = (): void => {
    try {
      if (!script) throw new ConfigError('airdesk widget: cannot find its <script> tag');
      mount(script);
    } catch (error) {
      console.warn(error instanceof Error ? error.message : error);
    }
  };
  if (document.body) run();
  else document.addEventListener('DOMContentLoaded', run, { once: true });
}

const script = findScript();
const globalState = window as unknown as Record<string, unknown>;
// A page that includes the script twice still gets one widget; previews (one per script tag, each in its own
// container, no conversation) are exempt so the theme editor can mount a fresh one after every change.
if (script?.getAttribute('data-preview') === 'true') start(script);
else if (!globalState[flag]) {
  globalState[flag] = true;
  start(script);
}
