import { z } from 'zod';

/**
 * SharePoint Server REST shapes (`/_api`, OData v3). The connector asks for JSON light without metadata
 * (`Accept: application/json;odata=nometadata`); servers without JSON light (2013 before SP1) answer in the
 * verbose form, so every reader takes both: `{value, "odata.nextLink"}` and `{d: {results, __next}}`.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A collection page: its rows and the link to the next page (null on the last). Null when it is no collection. */
export function collectionOf(body: unknown): { rows: unknown[]; next: string | null } | null {
  if (!isRecord(body)) return null;
  const verbose = isRecord(body.d) ? body.d : null;
  const rows = verbose ? verbose.results : body.value;
  if (!Array.isArray(rows)) return null;
  const next = verbose ? verbose.__next : (body['odata.nextLink'] ?? body['@odata.nextLink']);
  return { rows, next: typeof next === 'string' && next ? next : null };
}

/** A single entity's fields, from either form. */
export function entityOf(body: unknown): Record<string, unknown> | null {
  if (!isRecord(body)) return null;
  return isRecord(body.d) ? body.d : body;
}

/** Int64 values (file length) come as strings in OData v3 JSON. */
const int64 = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

export const webSchema = z.object({
  Title: z.string(),
  ServerRelativeUrl: z.string(),
  Url: z.string().optional(),
});

export const listSchema = z.object({ Title: z.string(), BaseTemplate: z.number().optional() });

/** A document library's template id (`BaseTemplate`); generic lists (100) hold no files. */
export const documentLibraryTemplate = 101;

export const rootFolderSchema = z.object({ ServerRelativeUrl: z.string() });

/** A document library row: a file (`FSObjType` 0) or a folder (1). */
export const libraryItemSchema = z.object({
  Id: z.number().int(),
  Title: z.string().nullish(),
  FileRef: z.string(),
  FileLeafRef: z.string(),
  FSObjType: int64,
  Modified: z.string(),
  File: z.object({ Length: int64.nullish() }).nullish(),
});
export type LibraryItem = z.infer<typeof libraryItemSchema>;

/** A site page row: modern pages keep their HTML in `CanvasContent1`, wiki pages in `WikiField`. */
export const pageItemSchema = z.object({
  Id: z.number().int(),
  Title: z.string().nullish(),
  FileRef: z.string(),
  FileLeafRef: z.string(),
  Modified: z.string(),
  CanvasContent1: z.string().nullish(),
  WikiField: z.string().nullish(),
});
export type PageItem = z.infer<typeof pageItemSchema>;

/** A string literal inside an OData URL segment: quotes doubled, then percent-encoded. */
export function odataString(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

/** `/_api/web/lists/getbytitle('…')`, the list by the title shown in Site Contents. */
export function listPath(title: string): string {
  return `/web/lists/getbytitle(${odataString(title)})`;
}

/** OData v3 `datetime'…'` literal at whole seconds (SharePoint stores `Modified` to the second). */
export function odataDateTime(iso: string): string {
  return `datetime'${new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

/** Fields read from library rows; `File/Length` needs `$expand=File`. */
export const librarySelect = 'Id,Title,FileRef,FileLeafRef,FSObjType,Modified,File/Length';
/** Pages on 2019 and later; 2013/2016 have no `CanvasContent1` column and reject the first form with a 400. */
export const pageSelect = 'Id,Title,FileRef,FileLeafRef,Modified,CanvasContent1,WikiField';
export const wikiPageSelect = 'Id,Title,FileRef,FileLeafRef,Modified,WikiField';

/** A server-relative path as a link: each segment encoded, so `#`, `?` and `%` in names survive. */
export function encodePath(serverRelative: string): string {
  return serverRelative.split('/').map(encodeURIComponent).join('/');
}

/** The folders between a library's root folder and a file, outermost first. */
export function foldersBetween(rootFolder: string, fileRef: string): string[] {
  const root = rootFolder.replace(/\/+$/, '').toLowerCase();
  const parent = fileRef.slice(0, fileRef.lastIndexOf('/'));
  if (!parent.toLowerCase().startsWith(root)) return [];
  return parent.slice(root.length).split('/').filter(Boolean);
}
