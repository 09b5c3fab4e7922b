import { useEffect, useRef } from 'react';

/**
 * The desk's keyboard shortcuts. `key` is KeyboardEvent.key; `aria` is the aria-keyshortcuts spelling a button
 * carries, so screen readers announce it and the help dialog lists the same thing the handler listens for.
 */
export const shortcuts = {
  next: { key: 'j', aria: 'J', label: 'Next conversation' },
  previous: { key: 'k', aria: 'K', label: 'Previous conversation' },
  edit: { key: 'e', aria: 'E', label: 'Edit the draft' },
  approve: { key: 'a', aria: 'A', label: 'Approve and send the draft' },
  regenerate: { key: 'r', aria: 'R', label: 'Regenerate the draft' },
  escalate: { key: 'x', aria: 'X', label: 'Escalate' },
  resolve: { key: 'R', aria: 'Shift+R', label: 'Resolve' },
  note: { key: 'n', aria: 'N', label: 'Write an internal note' },
  assign: { key: 'm', aria: 'M', label: 'Assign to me' },
  search: { key: '/', aria: '/', label: 'Search conversations' },
  help: { key: '?', aria: 'Shift+?', label: 'Show the keyboard shortcuts' },
} as const;

export type ShortcutId = keyof typeof shortcuts;

/** Sending from the reply or note editor; the one shortcut that works while typing. */
export const sendShortcut = { aria: 'Control+Enter Meta+Enter', label: 'Send from the reply or note editor' };

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}

/**
 * Runs the handler of a pressed shortcut, unless the agent is typing, holds a modifier (browser shortcuts stay
 * the browser's), or a modal dialog is open (only `?` then, which toggles the help).
 */
export function useShortcuts(handlers: Partial<Record<ShortcutId, () => void>>): void {
  const current = useRef(handlers);
  useEffect(() => {
    current.current = handlers;
  });
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) return;
      const id = (Object.keys(shortcuts) as ShortcutId[]).find((name) => shortcuts[name].key === event.key);
      if (!id) return;
      // Shift+R resolves, so an uppercase letter needs Shift held: Caps Lock must not turn r into Resolve.
      if (/^[A-Z]$/.test(event.key) && !event.shiftKey) return;
      if (id !== 'help' && document.querySelector('dialog[open]')) return;
      const handler = current.current[id];
      if (!handler) return;
      event.preventDefault();
      handler();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}

/** Ctrl+Enter (Cmd+Enter on a Mac) in an editor. */
export function isSendKey(event: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey);
}
