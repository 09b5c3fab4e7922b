/**
 * Where the console window may go and whom it answers. Everything is decided by exact origin comparison on parsed
 * URLs, never by string prefixes (`http://127.0.0.1:5000.evil.com` starts with `http://127.0.0.1:5000`).
 */

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The origin of `url`, or null when it does not parse or has an opaque origin (`file:`, `data:`, `about:`). */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.origin === 'null' ? null : parsed.origin;
}

/**
 * The origin of the core's console URL, or null unless it is plain http on this machine's loopback: the window
 * is privileged (it has the preload), so it must never be pointed at another host.
 */
export function loopbackOriginOf(consoleUrl: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(consoleUrl);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' || !loopbackHosts.has(parsed.hostname)) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.origin;
}

/** Whether the console window may navigate (or be redirected) to `url`: only within the console origin. */
export function isAllowedNavigation(url: string, consoleOrigin: string | null): boolean {
  return consoleOrigin !== null && originOf(url) === consoleOrigin;
}

/** Whether an IPC message comes from a frame showing the console (`event.senderFrame.url`). */
export function isTrustedSender(senderUrl: string | null | undefined, consoleOrigin: string | null): boolean {
  return consoleOrigin !== null && originOf(senderUrl) === consoleOrigin;
}

/**
 * The URL to hand to the OS browser for a link the console cannot show itself (a new window, or a navigation
 * away from the console), or null to drop it. Only http(s) to another origin, without user:password, goes out:
 * `file:`, custom schemes and `javascript:` could run programs or local files through the OS, and the console's
 * own origin is useless in a browser without its session.
 */
export function externalLinkTarget(url: string, consoleOrigin: string | null): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.origin === consoleOrigin) return null;
  return parsed.href;
}

/**
 * Permission requests from web content: all denied, but for writing sanitized text to the clipboard from the
 * console itself, which the "copy draft" buttons need and which cannot read anything.
 */
export function isPermissionGranted(
  permission: string,
  requestingUrl: string | null | undefined,
  consoleOrigin: string | null,
): boolean {
  return permission === 'clipboard-sanitized-write' && isTrustedSender(requestingUrl, consoleOrigin);
}
