import { z } from 'zod';
import { secretValueSchema } from '../../core/contract/index.js';

/** A Confluence space key as Confluence allows it (letters and digits; `~user` for personal spaces). */
const spaceKeySchema = z
  .string()
  .regex(/^~?[A-Za-z0-9_-]+$/, 'a Confluence space key (letters and digits, e.g. "DOCS" or "~jsmith")');

/** Settings of one Confluence Server / Data Center connector, as the admin writes them. */
export const confluenceSettingsSchema = z
  .object({
    /** The wiki's address including any context path, e.g. `https://wiki.corp.local` or `https://corp.local/wiki`. */
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://wiki.corp.local' })
      .transform((url) => url.replace(/\/+$/, '')),
    spaces: z.array(spaceKeySchema).min(1, 'at least one space key').max(200),
    /** A personal access token (Confluence 7.9+), sent as `Authorization: Bearer`. */
    token: secretValueSchema,
    /** Pages per search request; Confluence caps it server-side, so smaller answers are fine. */
    pageLimit: z.number().int().min(1).max(200).default(50),
    /** Also sync pages archived in Confluence 7.10+ (`status = archived`). */
    includeArchived: z.boolean().default(false),
  })
  .strict();

export type ConfluenceSettings = z.output<typeof confluenceSettingsSchema>;
export type ConfluenceSettingsInput = z.input<typeof confluenceSettingsSchema>;
