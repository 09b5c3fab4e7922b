import { z } from 'zod';

/**
 * The parts of Confluence Server / Data Center REST responses (`/rest/api`) the connector reads. Objects are loose:
 * Confluence adds fields between versions, and `_expandable` lists whatever was not expanded.
 */

const links = z.looseObject({ webui: z.string().optional(), next: z.string().optional() });

/** `GET /rest/api/user/current`: a signed-in user, or `{type: "anonymous"}` when no credentials were accepted. */
export const currentUserSchema = z.looseObject({
  type: z.string(),
  username: z.string().optional(),
  userKey: z.string().optional(),
  displayName: z.string().optional(),
});

export const spaceSchema = z.looseObject({
  key: z.string(),
  name: z.string(),
  status: z.string().optional(),
  _links: links.optional(),
});
export type Space = z.infer<typeof spaceSchema>;

const versionSchema = z.looseObject({ number: z.number().int(), when: z.string() });

/** A search or list hit: enough to decide whether the page must be fetched. */
export const contentSummarySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  status: z.string().optional(),
  title: z.string().optional(),
  version: versionSchema.optional(),
});
export type ContentSummary = z.infer<typeof contentSummarySchema>;

/** Confluence's paged list: `results`, `start`, `limit`, `size` and `_links.next` while more follow. */
export function pageResponseSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    results: z.array(item),
    start: z.number().int().optional(),
    limit: z.number().int().optional(),
    size: z.number().int().optional(),
    _links: links.optional(),
  });
}

const restrictionListSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      type: z.string().optional(),
      username: z.string().optional(),
      name: z.string().optional(),
    }),
  ),
  size: z.number().int().optional(),
  limit: z.number().int().optional(),
  _links: links.optional(),
});

/** One operation's restrictions (`read`): users and groups that may view; both empty means unrestricted. */
export const readRestrictionSchema = z.looseObject({
  operation: z.string().optional(),
  restrictions: z.looseObject({
    user: restrictionListSchema.optional(),
    group: restrictionListSchema.optional(),
  }),
});
export type ReadRestriction = z.infer<typeof readRestrictionSchema>;

/** `GET /rest/api/content/{id}?expand=body.storage,version,space,ancestors,restrictions.read...`. */
export const pageSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  status: z.string().optional(),
  title: z.string(),
  space: spaceSchema,
  version: versionSchema,
  ancestors: z.array(z.looseObject({ id: z.string(), title: z.string() })).default([]),
  body: z.looseObject({
    storage: z.looseObject({ value: z.string(), representation: z.string().optional() }),
  }),
  restrictions: z.looseObject({ read: readRestrictionSchema.optional() }).optional(),
  _links: links.optional(),
});
export type Page = z.infer<typeof pageSchema>;

/** Confluence's error body: `{statusCode, message, reason?}`. */
export const errorBodySchema = z.looseObject({ statusCode: z.number().optional(), message: z.string() });
