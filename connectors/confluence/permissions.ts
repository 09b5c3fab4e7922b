import type { DocumentPermissions } from '../../core/contract/index.js';
import type { ReadRestriction } from './api-shapes.js';

/** The principals one page level allows to view, or null when that level has no view restriction. */
export function principalsOf(restriction: ReadRestriction | undefined): Set<string> | null {
  const users = restriction?.restrictions.user?.results ?? [];
  const groups = restriction?.restrictions.group?.results ?? [];
  if (users.length === 0 && groups.length === 0) return null;
  const principals = new Set<string>();
  for (const user of users) if (user.username) principals.add(`user:${user.username}`);
  for (const group of groups) if (group.name) principals.add(`group:${group.name}`);
  return principals;
}

/** Whether Confluence cut a restriction list short (it pages them); a partial list must not be trusted. */
export function isTruncated(restriction: ReadRestriction | undefined): boolean {
  const lists = [restriction?.restrictions.user, restriction?.restrictions.group];
  return lists.some((list) => list?._links?.next !== undefined);
}

/**
 * The permissions of a page from the view restrictions on it and on its ancestors (outermost first).
 *
 * Confluence inherits view restrictions: a reader must pass every restricted level. A principal list means "any of
 * these", so the levels are intersected: a principal named on every restricted level may view. That can only be
 * narrower than Confluence (a user allowed on one level through a group named on another is left out), never wider.
 * An unrestricted page gets no principals and is not public (the runner shows it to the tenant's agents); a restricted
 * page whose levels share no principal yields null: no principal list expresses it, and an empty one would read as
 * unrestricted.
 */
export function effectivePermissions(levels: (Set<string> | null)[]): DocumentPermissions | null {
  const restricted = levels.filter((level): level is Set<string> => level !== null);
  if (restricted.length === 0) return { public: false, principals: [] };
  const [first, ...rest] = restricted;
  const shared = [...(first ?? [])].filter((principal) => rest.every((level) => level.has(principal)));
  if (shared.length === 0) return null;
  return { public: false, principals: shared.sort() };
}
