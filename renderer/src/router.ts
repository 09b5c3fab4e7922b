import { useSyncExternalStore } from 'react';

// A small history-API router: the path is the state, `navigate` pushes a new one. The server answers every
// console path with index.html, so a reload or a bookmarked page lands on the right view.
const changeEvent = 'airdesk:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(changeEvent, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(changeEvent, onChange);
  };
}

function currentPath(): string {
  return window.location.pathname;
}

/** The current location's path, re-rendering the caller when it changes. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** Moves to `path` within the console without reloading the page. */
export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(changeEvent));
}
