/** The console's sections, in the order the navigation lists them. */
export const sections = [
  { id: 'inbox', path: '/inbox', label: 'Inbox' },
  { id: 'knowledge', path: '/knowledge', label: 'Knowledge' },
  { id: 'connectors', path: '/connectors', label: 'Connectors' },
  { id: 'quality', path: '/quality', label: 'Quality' },
  { id: 'settings', path: '/settings', label: 'Settings' },
] as const;

export type SectionId = (typeof sections)[number]['id'];

/** The section a path shows; `/` is the inbox, and an unknown path is null. */
export function sectionOf(path: string): SectionId | null {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (trimmed === '/') return 'inbox';
  return sections.find((section) => section.path === trimmed)?.id ?? null;
}
