import type { z } from 'zod';
import type {
  Checkpoint,
  ConnectorContext,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/index.js';
import { AppError } from '../../core/contract/index.js';
import {
  advance,
  readCheckpoint,
  serverCheckpointSchema,
  type ServerCheckpoint,
  type SyncCursor,
  type SyncStep,
} from './checkpoint.js';
import {
  isSupported,
  loadFile,
  pageHtml,
  titleOf,
  type RemoteFile,
  extensionOf,
  supportedExtensions,
} from './files.js';
import { ApiClient, quote } from './http.js';
import {
  collectionOf,
  documentLibraryTemplate,
  encodePath,
  entityOf,
  foldersBetween,
  librarySelect,
  listPath,
  listSchema,
  odataDateTime,
  odataString,
  pageItemSchema,
  pageSelect,
  rootFolderSchema,
  webSchema,
  wikiPageSelect,
  type LibraryItem,
  type PageItem,
  libraryItemSchema,
} from './server-api.js';
import { defaultMaxFileBytes, type ServerSettings } from './settings.js';

/** Rows per list request; SharePoint pages server-side too (`odata.nextLink`), so a smaller answer is fine. */
const pageSize = 100;

interface Site {
  title: string;
  /** Scheme and host for links, from the web's own URL (alternate access mappings may differ from siteUrl). */
  origin: string;
}

/**
 * SharePoint Server through its REST API. A run walks each configured library, then the site pages, one list page
 * per `load`. Incremental runs filter on `Modified ge` the window's start; deletions are found by `listIds`.
 */
export class ServerSource implements ConnectorSource {
  private readonly http: ApiClient;
  private readonly api: string;
  private readonly maxBytes: number;
  private site: Site | null = null;
  private readonly rootFolders = new Map<string, string>();

  constructor(
    private readonly settings: ServerSettings,
    private readonly context: ConnectorContext,
  ) {
    this.api = `${settings.siteUrl}/_api`;
    this.maxBytes = settings.maxFileBytes ?? defaultMaxFileBytes;
    const origin = new URL(settings.siteUrl).origin;
    this.http = new ApiClient({
      service: 'SharePoint',
      where: settings.siteUrl,
      token: context.secrets.token,
      fetch: context.fetch,
      accept: 'application/json;odata=nometadata',
      resolveLink: (link) => {
        const url = new URL(link, settings.siteUrl);
        if (url.origin === origin) return url.href;
        throw new AppError(
          'unavailable',
          `SharePoint at ${settings.siteUrl} sent a next-page link to ${url.origin}; the token is only sent to ${origin}: check the alternate access mappings of the site`,
        );
      },
    });
  }

  async validate(signal: AbortSignal): Promise<void> {
    const { siteUrl } = this.settings;
    const response = await this.http.send(`${this.api}/web?$select=Title,Url,ServerRelativeUrl`, signal);
    const text = await response.text();
    if (response.status === 404) {
      throw new AppError(
        'invalid_input',
        `no SharePoint site at ${siteUrl} (HTTP 404 for /_api/web); check siteUrl`,
      );
    }
    if (response.status === 403) {
      throw new AppError(
        'forbidden',
        `the token may not read the site ${siteUrl} (HTTP 403); grant its account or app read access to the site`,
      );
    }
    if (response.status < 200 || response.status > 299)
      throw this.http.failure(response, text, 'reading the site');
    let web: unknown = null;
    try {
      web = entityOf(JSON.parse(text));
    } catch {
      // Not JSON: reported below as "not SharePoint".
    }
    if (!webSchema.safeParse(web).success) {
      throw new AppError(
        'invalid_input',
        `${siteUrl} does not look like a SharePoint site: /_api/web answered "${quote(text)}"; set siteUrl to the site's address, e.g. https://sp.corp.local/sites/support`,
      );
    }
    const lists = [...this.settings.libraries];
    if (this.settings.includeSitePages) lists.push(this.settings.sitePagesLibrary);
    for (const title of lists) await this.validateList(title, signal);
  }

  private async validateList(title: string, signal: AbortSignal): Promise<void> {
    const { siteUrl } = this.settings;
    let list: z.infer<typeof listSchema>;
    try {
      list = await this.getEntity(
        `${listPath(title)}?$select=Title,BaseTemplate`,
        listSchema,
        `reading "${title}"`,
        signal,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') {
        throw new AppError(
          'invalid_input',
          `no library "${title}" on ${siteUrl}; use the title shown in Site Contents`,
        );
      }
      if (error instanceof AppError && error.code === 'forbidden') {
        throw new AppError(
          'forbidden',
          `the token may not read the library "${title}" on ${siteUrl} (HTTP 403)`,
        );
      }
      throw error;
    }
    const isPages = this.settings.includeSitePages && title === this.settings.sitePagesLibrary;
    if (!isPages && list.BaseTemplate !== undefined && list.BaseTemplate !== documentLibraryTemplate) {
      throw new AppError('invalid_input', `"${title}" on ${siteUrl} is a list, not a document library`);
    }
  }

  initialCheckpoint(): ServerCheckpoint {
    return { hasMore: true, mode: 'server', cursor: null };
  }

  async *load(
    window: SyncWindow,
    saved: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint> {
    const checkpoint = readCheckpoint(
      serverCheckpointSchema,
      saved,
      this.initialCheckpoint(),
      this.context.log,
    );
    const cursor = checkpoint.cursor ?? this.startRun();
    const step = cursor.steps[cursor.step];
    if (!step) return { hasMore: false, mode: 'server', cursor: null };
    const site = await this.siteInfo(signal);
    const next =
      step.kind === 'files'
        ? yield* this.loadLibraryPage(site, step.id, cursor, window, signal)
        : yield* this.loadPagesPage(site, step.id, cursor, window, signal);
    return { mode: 'server', ...advance(cursor, next) } satisfies ServerCheckpoint;
  }

  private startRun(): SyncCursor {
    const steps: SyncStep[] = this.settings.libraries.map((id) => ({ kind: 'files', id }));
    if (this.settings.includeSitePages) steps.push({ kind: 'pages', id: this.settings.sitePagesLibrary });
    return { steps, step: 0, nextLink: null };
  }

  /** One page of a library's rows: its supported files downloaded, folders and other types skipped. */
  private async *loadLibraryPage(
    site: Site,
    library: string,
    cursor: SyncCursor,
    window: SyncWindow,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, string | null> {
    const filter =
      window.start === null
        ? ''
        : `&$filter=${encodeURIComponent(`Modified ge ${odataDateTime(window.start)}`)}`;
    const url =
      cursor.nextLink !== null
        ? this.http.options.resolveLink(cursor.nextLink)
        : `${this.api}${listPath(library)}/items?$select=${librarySelect}&$expand=File&$top=${pageSize}${filter}`;
    const page = await this.getCollection(url, `listing the library "${library}"`, signal);
    const root = await this.rootFolder(library, signal);
    for (const row of page.rows) {
      const parsed = libraryItemSchema.safeParse(row);
      if (!parsed.success) {
        yield {
          failure: true,
          message: `a row of "${library}" has an unexpected shape (${parsed.error.issues[0]?.message ?? 'unknown'})`,
        };
        continue;
      }
      if (parsed.data.FSObjType !== 0) continue;
      const file = this.remoteFile(site, library, root, parsed.data);
      if (!isSupported(file.fileName, file.path, this.context.log)) continue;
      yield await loadFile(
        file,
        (maxBytes) => this.download(parsed.data.FileRef, file.path, maxBytes, signal),
        this.maxBytes,
        signal,
      );
    }
    return page.next;
  }

  private remoteFile(site: Site, library: string, root: string, item: LibraryItem): RemoteFile {
    const folders = foldersBetween(root, item.FileRef);
    return {
      externalId: `item:${library}:${item.Id}`,
      fileName: item.FileLeafRef,
      path: [...folders, item.FileLeafRef].join('/'),
      title: item.Title?.trim() || titleOf(item.FileLeafRef),
      size: item.File?.Length ?? null,
      url: `${site.origin}${encodePath(item.FileRef)}`,
      updatedAt: item.Modified,
      hierarchy: [site.title, library, ...folders],
    };
  }

  private download(fileRef: string, path: string, maxBytes: number, signal: AbortSignal) {
    // The parameter alias keeps quotes, `#` and `%` in file names out of the URL path.
    const url = `${this.api}/web/GetFileByServerRelativeUrl(@u)/$value?@u=${odataString(fileRef)}`;
    return this.http.download(url, `downloading "${path}"`, signal, { maxBytes, followRedirect: false });
  }

  /** One page of site pages, as HTML; pages without text (web parts only) are skipped. */
  private async *loadPagesPage(
    site: Site,
    library: string,
    cursor: SyncCursor,
    window: SyncWindow,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, string | null> {
    let page: { rows: unknown[]; next: string | null };
    if (cursor.nextLink !== null) {
      page = await this.getCollection(
        this.http.options.resolveLink(cursor.nextLink),
        `listing "${library}"`,
        signal,
      );
    } else {
      page = await this.firstPagesPage(library, window, signal);
    }
    for (const row of page.rows) {
      const parsed = pageItemSchema.safeParse(row);
      if (!parsed.success) {
        yield {
          failure: true,
          message: `a row of "${library}" has an unexpected shape (${parsed.error.issues[0]?.message ?? 'unknown'})`,
        };
        continue;
      }
      const doc = this.pageDocument(site, library, parsed.data);
      if (doc) yield doc;
    }
    return page.next;
  }

  private async firstPagesPage(library: string, window: SyncWindow, signal: AbortSignal) {
    const filter =
      window.start === null
        ? ''
        : `&$filter=${encodeURIComponent(`Modified ge ${odataDateTime(window.start)}`)}`;
    const url = (select: string) =>
      `${this.api}${listPath(library)}/items?$select=${select}&$top=${pageSize}${filter}`;
    try {
      return await this.getCollection(url(pageSelect), `listing "${library}"`, signal);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'invalid_input') throw error;
      this.context.log?.(`"${library}" has no modern pages (SharePoint 2013/2016); reading wiki pages only`);
      return this.getCollection(url(wikiPageSelect), `listing "${library}"`, signal);
    }
  }

  private pageDocument(site: Site, library: string, item: PageItem): SourceDocument | null {
    const body = item.CanvasContent1?.trim() || item.WikiField?.trim() || '';
    const title = item.Title?.trim() || titleOf(item.FileLeafRef);
    if (!body) {
      this.context.log?.(`skipped the page "${item.FileLeafRef}": it has no text (only web parts)`);
      return null;
    }
    return {
      externalId: `page:${item.Id}`,
      title,
      content: { kind: 'html', html: pageHtml(title, body) },
      url: `${site.origin}${encodePath(item.FileRef)}`,
      updatedAt: item.Modified,
      hierarchy: [site.title, library],
      metadata: { path: item.FileLeafRef },
    };
  }

  /** Every file of a supported type in the libraries, and every site page: whatever `load` would deliver. */
  async *listIds(signal: AbortSignal): AsyncGenerator<string, void> {
    for (const library of this.settings.libraries) {
      let url: string | null =
        `${this.api}${listPath(library)}/items?$select=Id,FileLeafRef,FSObjType&$top=500`;
      while (url !== null) {
        const page = await this.getCollection(url, `listing the library "${library}"`, signal);
        for (const row of page.rows) {
          const item = libraryItemSchema
            .pick({ Id: true, FileLeafRef: true, FSObjType: true })
            .safeParse(row);
          if (!item.success) throw this.http.unexpected(`listing the library "${library}": a row has no Id`);
          if (item.data.FSObjType === 0 && supportedExtensions.includes(extensionOf(item.data.FileLeafRef))) {
            yield `item:${library}:${item.data.Id}`;
          }
        }
        url = page.next === null ? null : this.http.options.resolveLink(page.next);
      }
    }
    if (!this.settings.includeSitePages) return;
    const library = this.settings.sitePagesLibrary;
    let url: string | null = `${this.api}${listPath(library)}/items?$select=Id&$top=500`;
    while (url !== null) {
      const page = await this.getCollection(url, `listing "${library}"`, signal);
      for (const row of page.rows) {
        const item = pageItemSchema.pick({ Id: true }).safeParse(row);
        if (!item.success) throw this.http.unexpected(`listing "${library}": a row has no Id`);
        yield `page:${item.data.Id}`;
      }
      url = page.next === null ? null : this.http.options.resolveLink(page.next);
    }
  }

  private async siteInfo(signal: AbortSignal): Promise<Site> {
    if (this.site) return this.site;
    const web = await this.getEntity(
      '/web?$select=Title,Url,ServerRelativeUrl',
      webSchema,
      'reading the site',
      signal,
    );
    let origin = new URL(this.settings.siteUrl).origin;
    try {
      if (web.Url) origin = new URL(web.Url).origin;
    } catch {
      // A relative or odd Url: the configured address serves as well.
    }
    this.site = { title: web.Title, origin };
    return this.site;
  }

  private async rootFolder(library: string, signal: AbortSignal): Promise<string> {
    const known = this.rootFolders.get(library);
    if (known !== undefined) return known;
    const folder = await this.getEntity(
      `${listPath(library)}/RootFolder?$select=ServerRelativeUrl`,
      rootFolderSchema,
      `reading the root folder of "${library}"`,
      signal,
    );
    this.rootFolders.set(library, folder.ServerRelativeUrl);
    return folder.ServerRelativeUrl;
  }

  private async getCollection(url: string, what: string, signal: AbortSignal) {
    const page = collectionOf(await this.http.getJson(url, what, signal));
    if (!page) throw this.http.unexpected(`${what}: the JSON is not a list of rows`);
    return page;
  }

  private async getEntity<T extends z.ZodType>(path: string, schema: T, what: string, signal: AbortSignal) {
    const parsed = schema.safeParse(entityOf(await this.http.getJson(`${this.api}${path}`, what, signal)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.http.unexpected(
        `${what}: unexpected JSON shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'})`,
      );
    }
    return parsed.data;
  }
}
