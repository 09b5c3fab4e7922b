import { FakeHttpServer, jsonReply, type Reply, type SeenRequest } from './fake-http.testing.js';

export { FakeGraph } from './fake-graph.testing.js';
export type { SeenRequest } from './fake-http.testing.js';

/**
 * A SharePoint Server site's REST API (`/_api`, OData v3) in memory, built from the documented shapes: JSON light
 * without metadata (`value`, `odata.nextLink`) or, when `verbose` is set or asked for, the verbose form
 * (`d.results`, `__next`); `$top` with server-driven paging through `$skiptoken=Paged=TRUE&p_ID=…`; a
 * `Modified ge datetime'…'` filter; bearer auth (401 with an OAuth body); `odata.error` bodies; binary `$value`.
 */

interface Row {
  id: number;
  kind: 'file' | 'folder';
  /** Folders inside the library, `Guides/Setup`; empty at the root. */
  folder: string;
  name: string;
  title?: string;
  bytes?: Uint8Array;
  modified: string;
}

interface Library {
  title: string;
  /** The root folder's name in URLs: the "Documents" library lives at `Shared Documents`. */
  urlName: string;
  template: number;
  rows: Row[];
}

export interface FakePage {
  name: string;
  title: string;
  /** Modern page HTML (`CanvasContent1`). */
  canvas?: string;
  /** Wiki page HTML (`WikiField`). */
  wiki?: string;
  modified?: string;
}

const odataError = (code: string, value: string) => ({
  'odata.error': { code, message: { lang: 'en-US', value } },
});

export class FakeSharePoint {
  readonly token = 'sp-token-1';
  readonly sitePath = '/sites/support';
  readonly siteTitle = 'Support';
  /** The most rows one answer carries, whatever `$top` asks. */
  maxPageSize = 100;
  /** Answer in the verbose form, as SharePoint 2013 without JSON light does. */
  verbose = false;
  /** No `CanvasContent1` column (SharePoint 2013/2016): selecting it is a 400. */
  classicPages = false;
  /** Every request is denied (403), as for an account without access to the site. */
  denied = false;
  private readonly libraries = new Map<string, Library>();
  private nextId = 1;

  private constructor(readonly http: FakeHttpServer) {}

  static async start(): Promise<FakeSharePoint> {
    let fake: FakeSharePoint | null = null;
    const http = await FakeHttpServer.start((request) => fake?.route(request) ?? { status: 503 });
    fake = new FakeSharePoint(http);
    fake.addLibrary('Documents', 'Shared Documents');
    fake.addLibrary('Site Pages', 'SitePages', 119);
    return fake;
  }

  get siteUrl(): string {
    return `${this.http.origin}${this.sitePath}`;
  }

  addLibrary(title: string, urlName = title, template = 101): void {
    this.libraries.set(title.toLowerCase(), { title, urlName, template, rows: [] });
  }

  /** Adds a file at `path` inside the library (folders are created as rows too) and returns its item id. */
  addFile(
    library: string,
    path: string,
    bytes: Uint8Array,
    options: { modified?: string; title?: string } = {},
  ): number {
    const lib = this.library(library);
    const parts = path.split('/');
    const name = parts.pop() ?? path;
    const modified = options.modified ?? new Date().toISOString();
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i - 1).join('/');
      const folderName = parts[i - 1] ?? '';
      if (!lib.rows.some((r) => r.kind === 'folder' && r.folder === folder && r.name === folderName)) {
        lib.rows.push({ id: this.nextId++, kind: 'folder', folder, name: folderName, modified });
      }
    }
    const row: Row = { id: this.nextId++, kind: 'file', folder: parts.join('/'), name, bytes, modified };
    if (options.title !== undefined) row.title = options.title;
    lib.rows.push(row);
    return row.id;
  }

  updateFile(library: string, id: number, bytes: Uint8Array, modified = new Date().toISOString()): void {
    const row = this.row(library, id);
    row.bytes = bytes;
    row.modified = modified;
  }

  deleteFile(library: string, id: number): void {
    const lib = this.library(library);
    lib.rows = lib.rows.filter((r) => r.id !== id);
  }

  addPage(page: FakePage): number {
    const lib = this.library('Site Pages');
    const row: Row & { page: FakePage } = {
      id: this.nextId++,
      kind: 'file',
      folder: '',
      name: page.name,
      title: page.title,
      modified: page.modified ?? new Date().toISOString(),
      page,
    };
    lib.rows.push(row);
    return row.id;
  }

  /** The server-relative URL of a file, as `FileRef` gives it. */
  fileRef(library: string, id: number): string {
    return this.refOf(this.library(library), this.row(library, id));
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private library(title: string): Library {
    const lib = this.libraries.get(title.toLowerCase());
    if (!lib) throw new Error(`no fake library ${title}`);
    return lib;
  }

  private row(library: string, id: number): Row {
    const row = this.library(library).rows.find((r) => r.id === id);
    if (!row) throw new Error(`no item ${id} in ${library}`);
    return row;
  }

  private refOf(lib: Library, row: Row): string {
    return [this.sitePath, lib.urlName, row.folder, row.name].filter(Boolean).join('/');
  }

  private reply(request: SeenRequest, status: number, body: Record<string, unknown>): Reply {
    const verbose = this.verbose || (request.accept ?? '').includes('odata=verbose');
    if (!verbose) return jsonReply(status, body);
    if ('odata.error' in body) return jsonReply(status, { error: body['odata.error'] });
    if (Array.isArray(body.value)) {
      const next = body['odata.nextLink'];
      return jsonReply(status, { d: { results: body.value, ...(next ? { __next: next } : {}) } });
    }
    return jsonReply(status, { d: { __metadata: { type: 'SP.Data' }, ...body } });
  }

  private route(request: SeenRequest): Reply {
    if (request.authorization !== `Bearer ${this.token}`) {
      return jsonReply(
        401,
        { error_description: 'Invalid JWT token. The token is expired.' },
        { 'www-authenticate': 'Bearer realm="fake", client_id="00000003-0000-0ff1-ce00-000000000000"' },
      );
    }
    if (this.denied) {
      return this.reply(
        request,
        403,
        odataError('-2147024891, System.UnauthorizedAccessException', 'Access denied.'),
      );
    }
    const prefix = `${this.sitePath}/_api/`;
    if (!request.path.startsWith(prefix)) return { status: 404, body: 'Not Found' };
    const path = request.path.slice(prefix.length);
    if (path === 'web') {
      return this.reply(request, 200, {
        Title: this.siteTitle,
        Url: this.siteUrl,
        ServerRelativeUrl: this.sitePath,
      });
    }
    const file = /^web\/GetFileByServerRelativeUrl\(@u\)\/\$value$/.exec(path);
    if (file) return this.download(request);
    const list = /^web\/lists\/getbytitle\('((?:[^']|'')*)'\)(\/RootFolder|\/items)?$/i.exec(path);
    if (!list)
      return this.reply(request, 404, odataError('-1, System.ArgumentException', `no route ${path}`));
    const title = (list[1] ?? '').replace(/''/g, "'");
    const lib = this.libraries.get(title.toLowerCase());
    if (!lib) {
      return this.reply(
        request,
        404,
        odataError(
          '-1, System.ArgumentException',
          `List '${title}' does not exist at site with URL '${this.siteUrl}'.`,
        ),
      );
    }
    if (list[2] === undefined)
      return this.reply(request, 200, { Title: lib.title, BaseTemplate: lib.template });
    if (list[2] === '/RootFolder') {
      return this.reply(request, 200, { ServerRelativeUrl: `${this.sitePath}/${lib.urlName}` });
    }
    return this.items(request, lib);
  }

  private items(request: SeenRequest, lib: Library): Reply {
    const query = request.url.searchParams;
    const select = query.get('$select') ?? '';
    if (this.classicPages && /\bCanvasContent1\b/.test(select)) {
      return this.reply(
        request,
        400,
        odataError(
          '-1, Microsoft.SharePoint.Client.InvalidClientQueryException',
          `The field or property 'CanvasContent1' does not exist.`,
        ),
      );
    }
    let rows = [...lib.rows].sort((a, b) => a.id - b.id);
    const filter = query.get('$filter');
    if (filter !== null) {
      const since = /^Modified ge datetime'([^']+)'$/.exec(filter);
      if (!since?.[1]) {
        return this.reply(
          request,
          400,
          odataError('-1, Microsoft.SharePoint.SPException', `unsupported filter ${filter}`),
        );
      }
      const at = Date.parse(since[1]);
      rows = rows.filter((r) => Date.parse(r.modified) >= at);
    }
    const skip = /p_ID=(\d+)/.exec(query.get('$skiptoken') ?? '');
    if (skip) rows = rows.filter((r) => r.id > Number(skip[1]));
    const top = Math.min(Number(query.get('$top') ?? 100), this.maxPageSize);
    const pageRows = rows.slice(0, top);
    const body: Record<string, unknown> = { value: pageRows.map((r) => this.rowJson(lib, r)) };
    const last = pageRows.at(-1);
    if (rows.length > top && last) {
      const next = new URL(request.url.href);
      next.searchParams.set('$skiptoken', `Paged=TRUE&p_ID=${last.id}`);
      body['odata.nextLink'] = next.href;
    }
    return this.reply(request, 200, body);
  }

  private rowJson(lib: Library, row: Row): Record<string, unknown> {
    const base = {
      Id: row.id,
      Title: row.title ?? null,
      FileRef: this.refOf(lib, row),
      FileLeafRef: row.name,
      FSObjType: row.kind === 'folder' ? 1 : 0,
      Modified: row.modified.replace(/\.\d{3}Z$/, 'Z'),
    };
    if ('page' in row) {
      const page = (row as Row & { page: FakePage }).page;
      return { ...base, CanvasContent1: page.canvas ?? null, WikiField: page.wiki ?? null };
    }
    return { ...base, File: row.bytes ? { Length: String(row.bytes.byteLength) } : null };
  }

  private download(request: SeenRequest): Reply {
    const alias = request.url.searchParams.get('@u') ?? '';
    const ref = alias.replace(/^'|'$/g, '').replace(/''/g, "'");
    for (const lib of this.libraries.values()) {
      const row = lib.rows.find((r) => r.kind === 'file' && this.refOf(lib, r) === ref);
      if (row?.bytes) {
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: row.bytes };
      }
    }
    return this.reply(
      request,
      404,
      odataError('-2130575338, Microsoft.SharePoint.SPException', `The file ${ref} does not exist.`),
    );
  }
}
