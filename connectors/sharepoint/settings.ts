import { z } from 'zod';
import { secretValueSchema } from '../../core/contract/index.js';

/** Files larger than this are reported and skipped, not downloaded: 50 MB holds any manual or policy document. */
export const defaultMaxFileBytes = 50 * 1024 * 1024;

const httpUrl = (example: string) =>
  z
    .url({ protocol: /^https?$/, error: `an http(s) URL such as ${example}` })
    .transform((url) => url.replace(/\/+$/, ''));

const maxFileBytes = z.number().int().min(1).optional();

/** SharePoint Server 2013/2016/2019/Subscription Edition through its own REST API (`/_api`). */
const serverSettingsSchema = z
  .object({
    mode: z.literal('server'),
    /** The site's address, e.g. `https://sp.corp.local/sites/support`. */
    siteUrl: httpUrl('https://sp.corp.local/sites/support'),
    /** Document library titles as shown in Site Contents, e.g. `Documents`. */
    libraries: z.array(z.string().min(1)).min(1, 'at least one library title').max(100),
    includeSitePages: z.boolean().default(false),
    /** The title of the pages library: it is translated on non-English sites (e.g. "Websiteseiten"). */
    sitePagesLibrary: z.string().min(1).default('Site Pages'),
    /** An OAuth bearer token (add-in or app-only token); NTLM and forms sign-in are not supported. */
    token: secretValueSchema,
    maxFileBytes,
  })
  .strict();

/** SharePoint Online (or a national cloud) through Microsoft Graph. */
const graphSettingsSchema = z
  .object({
    mode: z.literal('graph'),
    /** Graph's address without the version: national clouds and proxies set their own. */
    graphBaseUrl: httpUrl('https://graph.microsoft.com').default('https://graph.microsoft.com'),
    /** The Graph site id (`contoso.sharepoint.com,{site-guid},{web-guid}`) or another form Graph accepts. */
    siteId: z.string().min(1),
    /** Drive (document library) ids; every library of the site when left out. */
    driveIds: z.array(z.string().min(1)).min(1).max(100).optional(),
    includeSitePages: z.boolean().default(false),
    /** An access token with Sites.Read.All (or Files.Read.All for drives only), sent as `Authorization: Bearer`. */
    token: secretValueSchema,
    maxFileBytes,
  })
  .strict();

/** Settings of one SharePoint connector, as the admin writes them; `mode` picks the API. */
export const sharePointSettingsSchema = z.discriminatedUnion('mode', [
  serverSettingsSchema,
  graphSettingsSchema,
]);

export type SharePointSettings = z.output<typeof sharePointSettingsSchema>;
export type SharePointSettingsInput = z.input<typeof sharePointSettingsSchema>;
export type ServerSettings = z.output<typeof serverSettingsSchema>;
export type GraphSettings = z.output<typeof graphSettingsSchema>;
