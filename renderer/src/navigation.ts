/** The console's sections, in the order the navigation lists them. */
export const sections = [
  { id: 'inbox', path: '/inbox', label: 'Inbox' },
  { id: 'escalations', path: '/escalations', label: 'Escalations' },
  { id: 'knowledge', path: '/knowledge', label: 'Knowledge' },
  { id: 'connectors', path: '/connectors', label: 'Connectors' },
  { id: 'quality', path: '/quality', label: 'Quality' },
  { id: 'settings', path: '/settings', label: 'Settings' },
] as const;

export type SectionId = (typeof sections)[number]['id'];

function trimmed(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * The section a path shows; `/` is the inbox, a path under a section (`/inbox/<conversation>`) is that section,
 * and an unknown path is null.
 */
export function sectionOf(path: string): SectionId | null {
  const clean = trimmed(path);
  if (clean === '/') return 'inbox';
  return (
    sections.find((section) => clean === section.path || clean.startsWith(`${section.path}/`))?.id ?? null
  );
}

/** The conversation `/inbox/<id>` opens, or null on the inbox itself. */
export function conversationIdOf(path: string): string | null {
  const match = /^\/inbox\/([^/]+)$/.exec(trimmed(path));
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null; // a mangled link: show the inbox
  }
}

/** The path that opens a conversation in the inbox. */
export function conversationPath(id: string): string {
  return `/inbox/${encodeURIComponent(id)}`;
}
