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

function mount(script: HTMLScriptElement): void {
  const config = parseConfig((name) => script.getAttribute(name), script.src, document.documentElement.lang);
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
  document.body.appendChild(host);
  new ChatWidget(host, config);
}

const globalState = window as unknown as Record<string, unknown>;
if (!globalState[flag]) {
  globalState[flag] = true;
  const script = findScript();
  try {
    if (!script) throw new ConfigError('airdesk widget: cannot find its <script> tag');
    if (document.body) mount(script);
    else document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
  } catch (error) {
    console.warn(error instanceof Error ? error.message : error);
  }
}
