import type { DesktopApi } from '../../../core/contract/desktop.js';

/**
 * A native notification through the desktop shell's preload; in a plain browser `window.airdesk` is undefined
 * and nothing happens (the console must work the same without it).
 */
export function notifyDesktop(title: string, body: string): void {
  const api = (window as Window & { airdesk?: Partial<DesktopApi> }).airdesk;
  if (typeof api?.notify !== 'function') return;
  api.notify({ title, body }).catch(() => {
    // A notification that could not be shown is not worth interrupting the agent for.
  });
}
