import type { z } from 'zod';
import type {
  Checkpoint,
  ConnectorContext,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/index.js';
import { AppError, isAppError } from '../../core/contract/index.js';
import {
  advance,
  graphCheckpointSchema,
  readCheckpoint,
  type GraphCheckpoint,
  type SyncCursor,
  type SyncStep,
} from './checkpoint.js';
import {
  extensionOf,
  isSupported,
  loadFile,
  pageHtml,
  supportedExtensions,
  titleOf,
  type RemoteFile,
} from './files.js';
import {
  canvasHtml,
  canvasPageSchema,
  collectionSchema,
  deltaSelect,
  driveItemSchema,
  driveSchema,
  foldersOfPath,
  siteSchema,
  sitePageSchema,
  type DriveItem,
} from './graph-api.js';
import { ApiClient, quote } from './http.js';
import { defaultMaxFileBytes, type GraphSettings } from './settings.js';

/** Items per delta or list request; Graph may answer fewer (server-driven paging). */
const pageSize = 200;

const enc = encodeURIComponent;

/**
 * SharePoint Online through Microsoft Graph. A run walks each drive's delta, then the site pages, one API page per
 * `load`. The first run enumerates every drive in full; the `@odata.deltaLink` it ends with is kept in the
 * checkpoint, so later runs ask only for what changed since. Deleted items in a delta are not yielded: the runner
 * prunes them because `listIds` no longer lists them. A full sync (window start null) ignores the saved links.
 */
export class GraphSource implements ConnectorSource {
  private readonly http: ApiClient;
  private readonly v1: string;
  private readonly maxBytes: number;
  private siteName: string | null = null;
  private readonly driveNames = new Map<string, string>();
  /** Folder id → folder names from the drive's root, per drive: delta items carry the parent's id, not its path. */
  private readonly folderPaths = new Map<string, string[]>();

  constructor(
    private readonly settings: GraphSettings,
    private readonly context: ConnectorContext,
  ) {
    const base = settings.graphBaseUrl;
    this.v1 = `${base}/v1.0`;
    this.maxBytes = settings.maxFileBytes ?? defaultMaxFileBytes;
    this.http = new ApiClient({
      service: 'Microsoft Graph',
      where: base,
      token: context.secrets.token,
      fetch: context.fetch,
      accept: 'application/json',
      // Links name Graph's public host; behind a proxy or in a national cloud they are re-based on graphBaseUrl,
      // so the token only ever goes to the configured address.
      resolveLink: (link) => {
        const url = new URL(link, `${base}/`);
        if (url.href.startsWith(`${base}/`)) return url.href;
        const at = url.pathname.indexOf('/v1.0/');
        if (at < 0)
          throw this.http.unexpected(`a paging link outside the v1.0 API (${url.origin}${url.pathname})`);
        return `${base}${url.pathname.slice(at)}${url.search}`;
      },
    });
  }

  async validate(signal: AbortSignal): Promise<void> {
    const { siteId, graphBaseUrl } = this.settings;
    const response = await this.http.send(
      `${this.v1}/sites/${siteId}?$select=id,displayName,name,webUrl`,
      signal,
    );
    const text = await response.text();
    if (response.status === 404 || response.status === 400) {
      throw new AppError(
        'invalid_input',
        `no SharePoint site "${siteId}" in Microsoft Graph at ${graphBaseUrl} (HTTP ${response.status}); siteId is the Graph site id, as GET /v1.0/sites/{host}:/sites/{path} returns it`,
      );
    }
    if (response.status === 403) {
      throw new AppError(
        'forbidden',
        `the token may not read the site "${siteId}" (HTTP 403); grant the app Sites.Read.All or Sites.Selected on this site`,
      );
    }
    if (response.status < 200 || response.status > 299)
      throw this.http.failure(response, text, 'reading the site');
    let site: unknown = null;
    try {
      site = JSON.parse(text);
    } catch {
      // Not JSON: reported below.
    }
    if (!siteSchema.safeParse(site).success) {
      throw new AppError(
        'invalid_input',
        `${graphBaseUrl} does not look like Microsoft Graph: /v1.0/sites/${siteId} answered "${quote(text)}"; set graphBaseUrl to Graph's address without /v1.0`,
      );
    }
    for (const driveId of this.settings.driveIds ?? []) {
      try {
        await this.driveName(driveId, signal);
      } catch (error) {
        if (isAppError(error) && (error.code === 'not_found' || error.code === 'invalid_input')) {
          throw new AppError(
            'invalid_input',
            `no drive (document library) "${driveId}" in Microsoft Graph; check driveIds`,
          );
        }
        throw error;
      }
    }
  }

  /** A new window keeps the previous window's delta links, so it reads only what changed since. */
  initialCheckpoint(previous?: Checkpoint | null): GraphCheckpoint {
    const carried = graphCheckpointSchema.safeParse(previous);
    const deltaLinks = carried.success ? carried.data.deltaLinks : {};
    return { hasMore: true, mode: 'graph', cursor: null, deltaLinks };
  }

  async *load(
    window: SyncWindow,
    saved: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint> {
    const checkpoint = readCheckpoint(
      graphCheckpointSchema,
      saved,
      this.initialCheckpoint(),
      this.context.log,
    );
    let { cursor, deltaLinks } = checkpoint;
    if (cursor === null) {
      cursor = await this.startRun(signal);
      const drives = new Set(cursor.steps.map((s) => s.id));
      // A full sync re-reads every drive; links of drives no longer configured are dropped.
      deltaLinks =
        window.start === null
          ? {}
          : Object.fromEntries(Object.entries(deltaLinks).filter(([id]) => drives.has(id)));
    }
    const step = cursor.steps[cursor.step];
    if (!step) return { hasMore: false, mode: 'graph', cursor: null, deltaLinks };
    if (step.kind === 'pages') {
      const next = yield* this.loadPagesPage(cursor, window, signal);
      return { mode: 'graph', deltaLinks, ...advance(cursor, next) } satisfies GraphCheckpoint;
    }
    const page = yield* this.loadDeltaPage(step.id, cursor, deltaLinks[step.id], signal);
    if (page.deltaLink !== null) deltaLinks = { ...deltaLinks, [step.id]: page.deltaLink };
    if (page.restart) {
      const { [step.id]: _expired, ...rest } = deltaLinks;
      deltaLinks = rest;
    }
    return { mode: 'graph', deltaLinks, ...advance(cursor, page.nextLink) } satisfies GraphCheckpoint;
  }

  private async startRun(signal: AbortSignal): Promise<SyncCursor> {
    const drives = this.settings.driveIds ?? (await this.siteDrives(signal));
    const steps: SyncStep[] = drives.map((id) => ({ kind: 'files', id }));
    if (this.settings.includeSitePages) steps.push({ kind: 'pages', id: this.settings.siteId });
    return { steps, step: 0, nextLink: null };
  }

  private freshDelta(driveId: string): string {
    return `${this.v1}/drives/${enc(driveId)}/root/delta?$select=${deltaSelect}&$top=${pageSize}`;
  }

  /**
   * One page of a drive's delta. Returns the next page's link, or the new delta link when the drive is done. A 410
   * (the saved token expired) restarts the drive from a full enumeration at the `Location` Graph gives.
   */
  private async *loadDeltaPage(
    driveId: string,
    cursor: SyncCursor,
    savedDeltaLink: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<
    SourceDocument | ItemFailure,
    { nextLink: string | null; deltaLink: string | null; restart: boolean }
  > {
    const link = cursor.nextLink ?? savedDeltaLink;
    const url = link === undefined ? this.freshDelta(driveId) : this.http.options.resolveLink(link);
    const what = `reading changes of the drive "${driveId}"`;
    const response = await this.http.send(url, signal);
    const text = await response.text();
    if (response.status === 410) {
      const location = response.headers.get('location');
      this.context.log?.(
        `the saved change token of the drive "${driveId}" expired; reading the drive in full`,
      );
      const restartAt = location ? this.http.options.resolveLink(location) : this.freshDelta(driveId);
      return { nextLink: restartAt, deltaLink: null, restart: true };
    }
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, text, what);
    const page = this.parse(collectionSchema, this.http.parseJson(response, text, what), what);
    const nextLink = page['@odata.nextLink'] ?? null;
    const deltaLink = nextLink === null ? (page['@odata.deltaLink'] ?? null) : null;
    if (nextLink === null && deltaLink === null)
      throw this.http.unexpected(`${what}: neither a next nor a delta link`);
    const [siteName, driveName] = [await this.site(signal), await this.driveName(driveId, signal)];
    let deleted = 0;
    for (const row of page.value) {
      const parsed = driveItemSchema.safeParse(row);
      if (!parsed.success) {
        yield { failure: true, message: `an item of the drive "${driveName}" has an unexpected shape` };
        continue;
      }
      const item = parsed.data;
      if (item.deleted) deleted++;
      if (item.deleted || !item.file || item.name === undefined) continue;
      // Checked before the folders are looked up: an image or a spreadsheet is not worth a request.
      if (!isSupported(item.name, `${driveName}/…/${item.name}`, this.context.log)) continue;
      const folders = await this.folders(driveId, item, signal);
      const file = this.remoteFile(driveId, item, item.name, [siteName, driveName, ...folders]);
      const download = (maxBytes: number) =>
        this.http.download(
          `${this.v1}/drives/${enc(driveId)}/items/${enc(item.id)}/content`,
          `downloading "${file.path}"`,
          signal,
          {
            maxBytes,
            followRedirect: true,
          },
        );
      yield await loadFile(file, download, this.maxBytes, signal);
    }
    if (deleted > 0)
      this.context.log?.(`${deleted} item(s) deleted in "${driveName}"; they are pruned by the id listing`);
    return { nextLink, deltaLink, restart: false };
  }

  private remoteFile(driveId: string, item: DriveItem, name: string, hierarchy: string[]): RemoteFile {
    return {
      externalId: `item:${driveId}:${item.id}`,
      fileName: name,
      path: [...hierarchy.slice(2), name].join('/'),
      title: titleOf(name),
      size: item.size ?? null,
      url: item.webUrl ?? '',
      updatedAt: item.lastModifiedDateTime ?? new Date(0).toISOString(),
      hierarchy,
    };
  }

  /** The folders above an item: from `parentReference.path` when given, else by asking for the parent once. */
  private async folders(driveId: string, item: DriveItem, signal: AbortSignal): Promise<string[]> {
    const parent = item.parentReference;
    if (parent?.path !== undefined) return foldersOfPath(parent.path);
    if (parent?.id === undefined) return [];
    const key = `${driveId}/${parent.id}`;
    const known = this.folderPaths.get(key);
    if (known) return known;
    const what = `reading a folder of the drive "${driveId}"`;
    let folders: string[];
    try {
      const url = `${this.v1}/drives/${enc(driveId)}/items/${enc(parent.id)}?$select=id,name,root,parentReference`;
      const folder = this.parse(driveItemSchema, await this.http.getJson(url, what, signal), what);
      folders = folder.root ? [] : [...foldersOfPath(folder.parentReference?.path ?? ''), folder.name ?? ''];
    } catch (error) {
      // The folder went away after the delta was read: the file's download reports it.
      if (!isAppError(error) || error.code !== 'not_found') throw error;
      folders = [];
    }
    this.folderPaths.set(key, folders);
    return folders;
  }

  /** One page of the site's pages as HTML; on an incremental run, pages unchanged since the window's start are skipped. */
  private async *loadPagesPage(
    cursor: SyncCursor,
    window: SyncWindow,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, string | null> {
    const url = cursor.nextLink === null ? this.pagesUrl() : this.http.options.resolveLink(cursor.nextLink);
    const what = 'listing the site pages';
    const page = this.parse(collectionSchema, await this.http.getJson(url, what, signal), what);
    const siteName = await this.site(signal);
    const since = window.start === null ? null : Date.parse(window.start);
    for (const row of page.value) {
      const parsed = sitePageSchema.safeParse(row);
      if (!parsed.success) {
        yield { failure: true, message: 'a site page has an unexpected shape' };
        continue;
      }
      const changed = Date.parse(parsed.data.lastModifiedDateTime ?? '');
      if (since !== null && changed < since) continue;
      const doc = await this.pageDocument(parsed.data.id, siteName, signal);
      if (doc) yield doc;
    }
    return page['@odata.nextLink'] ?? null;
  }

  private pagesUrl(): string {
    return `${this.v1}/sites/${this.settings.siteId}/pages/microsoft.graph.sitePage?$select=id,name,title,webUrl,lastModifiedDateTime&$top=${pageSize}`;
  }

  private async pageDocument(
    id: string,
    siteName: string,
    signal: AbortSignal,
  ): Promise<SourceDocument | ItemFailure | null> {
    const what = `reading the site page "${id}"`;
    const url = `${this.v1}/sites/${this.settings.siteId}/pages/${enc(id)}/microsoft.graph.sitePage?$expand=canvasLayout`;
    let body: unknown;
    try {
      body = await this.http.getJson(url, what, signal);
    } catch (error) {
      if (signal.aborted || !isAppError(error) || !['not_found', 'forbidden'].includes(error.code))
        throw error;
      return { failure: true, externalId: `page:${id}`, message: `site page "${id}": ${error.message}` };
    }
    const page = this.parse(canvasPageSchema, body, what);
    const title = page.title?.trim() || titleOf(page.name ?? id);
    const html = canvasHtml(page);
    if (!html) {
      this.context.log?.(`skipped the page "${page.name ?? id}": it has no text (only web parts)`);
      return null;
    }
    return {
      externalId: `page:${page.id}`,
      title,
      content: { kind: 'html', html: pageHtml(title, html) },
      url: page.webUrl ?? '',
      updatedAt: page.lastModifiedDateTime ?? new Date(0).toISOString(),
      hierarchy: [siteName, 'Site Pages'],
    };
  }

  /** Every current file of a supported type (a full delta per drive, no token) and every site page. */
  async *listIds(signal: AbortSignal): AsyncGenerator<string, void> {
    const drives = this.settings.driveIds ?? (await this.siteDrives(signal));
    for (const driveId of drives) {
      const what = `listing the drive "${driveId}"`;
      for await (const row of this.rows(this.freshDelta(driveId), what, signal)) {
        const item = this.parse(driveItemSchema, row, what);
        if (item.deleted || !item.file || item.name === undefined) continue;
        if (supportedExtensions.includes(extensionOf(item.name))) yield `item:${driveId}:${item.id}`;
      }
    }
    if (!this.settings.includeSitePages) return;
    const what = 'listing the site pages';
    for await (const row of this.rows(this.pagesUrl(), what, signal)) {
      yield `page:${this.parse(sitePageSchema, row, what).id}`;
    }
  }

  private async siteDrives(signal: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    const what = 'listing the document libraries of the site';
    for await (const row of this.rows(
      `${this.v1}/sites/${this.settings.siteId}/drives?$select=id,name`,
      what,
      signal,
    )) {
      const drive = this.parse(driveSchema, row, what);
      this.driveNames.set(drive.id, drive.name);
      ids.push(drive.id);
    }
    return ids;
  }

  /** Every row of a collection, following `@odata.nextLink` to the end. */
  private async *rows(first: string, what: string, signal: AbortSignal): AsyncGenerator<unknown, void> {
    let url: string | undefined = first;
    while (url !== undefined) {
      const page: z.output<typeof collectionSchema> = this.parse(
        collectionSchema,
        await this.http.getJson(url, what, signal),
        what,
      );
      yield* page.value;
      const next = page['@odata.nextLink'];
      url = next === undefined ? undefined : this.http.options.resolveLink(next);
    }
  }

  private async site(signal: AbortSignal): Promise<string> {
    if (this.siteName !== null) return this.siteName;
    const what = 'reading the site';
    const url = `${this.v1}/sites/${this.settings.siteId}?$select=id,displayName,name,webUrl`;
    const site = this.parse(siteSchema, await this.http.getJson(url, what, signal), what);
    this.siteName = site.displayName ?? site.name ?? this.settings.siteId;
    return this.siteName;
  }

  private async driveName(driveId: string, signal: AbortSignal): Promise<string> {
    const known = this.driveNames.get(driveId);
    if (known !== undefined) return known;
    const what = `reading the drive "${driveId}"`;
    const drive = this.parse(
      driveSchema,
      await this.http.getJson(`${this.v1}/drives/${enc(driveId)}?$select=id,name`, what, signal),
      what,
    );
    this.driveNames.set(driveId, drive.name);
    return drive.name;
  }

  private parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw this.http.unexpected(
      `${what}: unexpected JSON shape (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unknown'})`,
    );
  }
}
