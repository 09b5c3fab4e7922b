import { z } from 'zod';

/** Microsoft Graph v1.0 shapes the connector reads (driveItem, drive, site, sitePage), loose on extra fields. */

export const siteSchema = z.object({
  id: z.string(),
  displayName: z.string().optional(),
  name: z.string().optional(),
  webUrl: z.string().optional(),
});

export const driveSchema = z.object({ id: z.string(), name: z.string() });

/** A page of a collection; delta pages end with `@odata.deltaLink` instead of `@odata.nextLink`. */
export const collectionSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

const facet = z.looseObject({});

/**
 * A driveItem as delta lists it. Deleted items keep only `id` and the `deleted` facet (OneDrive for Business omits
 * `name`), and delta never fills `parentReference.path` (Graph docs, driveItem: delta, Remarks).
 */
export const driveItemSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  size: z.number().optional(),
  lastModifiedDateTime: z.string().optional(),
  webUrl: z.string().optional(),
  file: facet.optional(),
  folder: facet.optional(),
  root: facet.optional(),
  deleted: facet.optional(),
  parentReference: z.object({ id: z.string().optional(), path: z.string().optional() }).optional(),
});
export type DriveItem = z.infer<typeof driveItemSchema>;

/** Fields asked of delta: enough to decide, name, date and place a file without reading it. */
export const deltaSelect =
  'id,name,size,file,folder,root,deleted,lastModifiedDateTime,webUrl,parentReference';

export const sitePageSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  title: z.string().nullish(),
  webUrl: z.string().optional(),
  lastModifiedDateTime: z.string().optional(),
});

const webPartsSchema = z.array(z.looseObject({ innerHtml: z.string().optional() })).optional();

/** A page with `$expand=canvasLayout`: text web parts carry `innerHtml`; other web parts have no text. */
export const canvasPageSchema = sitePageSchema.extend({
  canvasLayout: z
    .object({
      horizontalSections: z
        .array(z.object({ columns: z.array(z.object({ webparts: webPartsSchema })).optional() }))
        .optional(),
      verticalSection: z.object({ webparts: webPartsSchema }).nullish(),
    })
    .nullish(),
});

/** The HTML of every text web part, in page order (sections, columns, then the vertical section). */
export function canvasHtml(page: z.infer<typeof canvasPageSchema>): string {
  const layout = page.canvasLayout;
  const parts = [
    ...(layout?.horizontalSections ?? []).flatMap((s) => (s.columns ?? []).flatMap((c) => c.webparts ?? [])),
    ...(layout?.verticalSection?.webparts ?? []),
  ];
  return parts
    .map((part) => part.innerHtml?.trim() ?? '')
    .filter(Boolean)
    .join('\n');
}

/** Folders of a `parentReference.path` such as `/drives/b!x/root:/Guides/Set%20up`, decoded, outermost first. */
export function foldersOfPath(path: string): string[] {
  const at = path.indexOf('root:');
  if (at < 0) return [];
  return path
    .slice(at + 'root:'.length)
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}
