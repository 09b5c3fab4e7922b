import { FakeHttpServer, jsonReply, type Reply, type SeenRequest } from './fake-http.testing.js';

/**
 * Microsoft Graph's SharePoint surface in memory, built from the v1.0 docs: sites, drives, `root/delta` with
 * `@odata.nextLink` pages ending in an `@odata.deltaLink` (deleted items carry only `id` and the `deleted` facet;
 * `parentReference` has no `path` in delta), 410 `resyncRequired` with a `Location` for expired tokens, items
 * with their `parentReference.path`, `/content` answering 302 to a pre-authenticated download URL, site pages with
 * `canvasLayout`, and `{error:{code,message}}` bodies. It can sit under a path prefix (a proxy) and name another
 * host in its links (`linkBase`), as Graph names graph.microsoft.com whatever address reached it.
 */

interface Item {
  id: string;
  name: string;
  parentId: string | null;
  folder: boolean;
  bytes?: Uint8Array;
  modified: string;
  /** The change number of its last change; delta tokens are change numbers. */
  seq: number;
  deleted: boolean;
}

interface Drive {
  id: string;
  name: string;
  rootId: string;
  items: Map<string, Item>;
}

export interface FakeSitePage {
  id: string;
  name: string;
  title: string;
  html: string;
  modified: string;
}

const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  jsonReply(status, { error: { code, message, innerError: { 'request-id': 'fake' } } }, headers);

export class FakeGraph {
  readonly token = 'graph-token-1';
  readonly siteId =
    'contoso.sharepoint.com,11111111-1111-1111-1111-111111111111,22222222-2222-2222-2222-222222222222';
  readonly siteName = 'Support';
  /** The most items one answer carries, whatever `$top` asks. */
  maxPageSize = 200;
  /** Every request is denied (403). */
  denied = false;
  /** Delta tokens below this change number are expired (410). */
  expiredBefore = 0;
  /** The base named in paging links; defaults to the address the fake is reached at. */
  linkBase: string;
  readonly drives = new Map<string, Drive>();
  readonly pages: FakeSitePage[] = [];
  private seq = 0;
  private nextId = 1;

  private constructor(
    readonly http: FakeHttpServer,
    readonly prefix: string,
  ) {
    this.linkBase = `${http.origin}${prefix}`;
  }

  /** Starts the fake; `prefix` mounts it under a path, as a proxy does (`/graph-proxy`). */
  static async start(prefix = ''): Promise<FakeGraph> {
    let fake: FakeGraph | null = null;
    const http = await FakeHttpServer.start((request) => fake?.route(request) ?? { status: 503 });
    fake = new FakeGraph(http, prefix);
    return fake;
  }

  /** What `graphBaseUrl` is set to. */
  get baseUrl(): string {
    return `${this.http.origin}${this.prefix}`;
  }

  addDrive(name: string): string {
    const id = `b!drive${this.nextId++}`;
    const rootId = `root${this.nextId++}`;
    const root: Item = {
      id: rootId,
      name: 'root',
      parentId: null,
      folder: true,
      modified: '2026-01-01T00:00:00Z',
      seq: ++this.seq,
      deleted: false,
    };
    this.drives.set(id, { id, name, rootId, items: new Map([[rootId, root]]) });
    return id;
  }

  /** Adds a file at `path` (folders are created on the way) and returns its item id. */
  addFile(driveId: string, path: string, bytes: Uint8Array, modified = new Date().toISOString()): string {
    const drive = this.drive(driveId);
    const parts = path.split('/');
    const name = parts.pop() ?? path;
    let parentId = drive.rootId;
    for (const folderName of parts) {
      const existing = [...drive.items.values()].find(
        (i) => i.folder && !i.deleted && i.parentId === parentId && i.name === folderName,
      );
      if (existing) {
        parentId = existing.id;
        continue;
      }
      const folder: Item = {
        id: `F${this.nextId++}`,
        name: folderName,
        parentId,
        folder: true,
        modified,
        seq: ++this.seq,
        deleted: false,
      };
      drive.items.set(folder.id, folder);
      parentId = folder.id;
    }
    const file: Item = {
      id: `I${this.nextId++}`,
      name,
      parentId,
      folder: false,
      bytes,
      modified,
      seq: ++this.seq,
      deleted: false,
    };
    drive.items.set(file.id, file);
    return file.id;
  }

  updateFile(driveId: string, id: string, bytes: Uint8Array, modified = new Date().toISOString()): void {
    const item = this.item(driveId, id);
    Object.assign(item, { bytes, modified, seq: ++this.seq });
  }

  deleteFile(driveId: string, id: string): void {
    Object.assign(this.item(driveId, id), { deleted: true, seq: ++this.seq });
  }

  addPage(page: Omit<FakeSitePage, 'id'>): string {
    const id = `page-${this.nextId++}`;
    this.pages.push({ id, ...page });
    return id;
  }

  /** The change number now: tokens issued so far are below `current + 1`. */
  get currentSeq(): number {
    return this.seq;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private drive(id: string): Drive {
    const drive = this.drives.get(id);
    if (!drive) throw new Error(`no fake drive ${id}`);
    return drive;
  }

  private item(driveId: string, id: string): Item {
    const item = this.drive(driveId).items.get(id);
    if (!item) throw new Error(`no item ${id}`);
    return item;
  }

  private folderPath(drive: Drive, item: Item): string[] {
    const names: string[] = [];
    for (let at = item.parentId; at !== null && at !== drive.rootId;) {
      const parent = drive.items.get(at);
      if (!parent) break;
      names.unshift(parent.name);
      at = parent.parentId;
    }
    return names;
  }

  private webUrl(drive: Drive, item: Item): string {
    const segments = [drive.name, ...this.folderPath(drive, item), item.name].map(encodeURIComponent);
    return `https://contoso.sharepoint.com/sites/support/${segments.join('/')}`;
  }

  private itemJson(drive: Drive, item: Item, withPath: boolean): Record<string, unknown> {
    const parentReference: Record<string, unknown> = { driveId: drive.id, driveType: 'documentLibrary' };
    if (item.parentId !== null) parentReference.id = item.parentId;
    if (item.deleted) return { id: item.id, deleted: { state: 'deleted' }, parentReference };
    if (withPath && item.parentId !== null) {
      parentReference.path = `/drives/${drive.id}/root:${this.folderPath(drive, item)
        .map((n) => `/${encodeURIComponent(n)}`)
        .join('')}`;
    }
    const json: Record<string, unknown> = {
      id: item.id,
      name: item.name,
      lastModifiedDateTime: item.modified,
      webUrl: this.webUrl(drive, item),
      parentReference,
    };
    if (item.id === drive.rootId) json.root = {};
    if (item.folder) json.folder = { childCount: 0 };
    else json.file = { mimeType: 'application/octet-stream' };
    if (item.bytes) json.size = item.bytes.byteLength;
    return json;
  }

  private route(request: SeenRequest): Reply {
    if (!request.path.startsWith(this.prefix)) return { status: 404, body: 'Not Found' };
    const path = request.path.slice(this.prefix.length);
    const download = /^\/download\/([^/]+)\/([^/]+)$/.exec(path);
    if (download) return this.download(download[1] ?? '', download[2] ?? '');
    if (request.authorization !== `Bearer ${this.token}`) {
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Lifetime validation failed, the token is expired.',
      );
    }
    if (this.denied) return graphError(403, 'accessDenied', 'Access denied');
    const site = `/v1.0/sites/${this.siteId}`;
    if (path === site)
      return jsonReply(200, {
        id: this.siteId,
        name: 'support',
        displayName: this.siteName,
        webUrl: 'https://contoso.sharepoint.com/sites/support',
      });
    if (path === `${site}/drives`)
      return this.paged(
        request,
        [...this.drives.values()].map((d) => ({ id: d.id, name: d.name, driveType: 'documentLibrary' })),
      );
    if (path === `${site}/pages/microsoft.graph.sitePage`) {
      return this.paged(
        request,
        this.pages.map((p) => ({
          id: p.id,
          name: p.name,
          title: p.title,
          webUrl: `https://contoso.sharepoint.com/sites/support/SitePages/${p.name}`,
          lastModifiedDateTime: p.modified,
        })),
      );
    }
    const page = new RegExp(`^${escape(site)}/pages/([^/]+)/microsoft\\.graph\\.sitePage$`).exec(path);
    if (page) return this.sitePage(page[1] ?? '');
    if (path.startsWith('/v1.0/sites/'))
      return graphError(404, 'itemNotFound', 'Requested site could not be found');
    const drivePath = /^\/v1\.0\/drives\/([^/]+)(\/root\/delta|\/items\/([^/]+)(\/content)?)?$/.exec(path);
    const drive = drivePath ? this.drives.get(drivePath[1] ?? '') : undefined;
    if (!drivePath || !drive) return graphError(404, 'itemNotFound', 'The resource could not be found.');
    if (drivePath[2] === undefined)
      return jsonReply(200, { id: drive.id, name: drive.name, driveType: 'documentLibrary' });
    if (drivePath[2] === '/root/delta') return this.delta(request, drive);
    const item = drive.items.get(drivePath[3] ?? '');
    if (!item || item.deleted) return graphError(404, 'itemNotFound', 'The resource could not be found.');
    if (drivePath[4] === undefined) return jsonReply(200, this.itemJson(drive, item, true));
    return {
      status: 302,
      headers: {
        location: `${this.baseUrl}/download/${encodeURIComponent(drive.id)}/${item.id}?tempauth=fake`,
      },
    };
  }

  private download(driveId: string, itemId: string): Reply {
    const item = this.drives.get(driveId)?.items.get(itemId);
    if (!item?.bytes || item.deleted) return { status: 404, body: 'gone' };
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: item.bytes };
  }

  /** A collection paged by `$top` and an index in `$skiptoken`. */
  private paged(request: SeenRequest, all: unknown[]): Reply {
    const query = request.url.searchParams;
    const top = Math.min(Number(query.get('$top') ?? 200), this.maxPageSize);
    const from = Number(query.get('$skiptoken') ?? 0);
    const body: Record<string, unknown> = { value: all.slice(from, from + top) };
    if (from + top < all.length)
      body['@odata.nextLink'] = this.link(request, { $skiptoken: String(from + top) });
    return jsonReply(200, body);
  }

  /** A link to the same resource with other query parameters, named at `linkBase`. */
  private link(request: SeenRequest, params: Record<string, string>): string {
    const url = new URL(`${this.linkBase}${request.url.pathname.slice(this.prefix.length)}`);
    for (const [name, value] of request.url.searchParams)
      if (name === '$top' || name === '$select') url.searchParams.set(name, value);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /** Fresh: every live item. With `token=N`: items changed after change N, deleted ones as tombstones. */
  private delta(request: SeenRequest, drive: Drive): Reply {
    const query = request.url.searchParams;
    const token = query.get('token');
    const since = token === null ? null : Number(token);
    if (since !== null && since < this.expiredBefore) {
      // The Location starts a fresh enumeration: the same resource without a token.
      return graphError(
        410,
        'resyncRequired',
        'Resync required. Replace any local items with the server version.',
        {
          location: this.link(request, {}),
        },
      );
    }
    const upTo = Number(query.get('upto') ?? this.seq);
    const changed = [...drive.items.values()]
      .filter((i) => i.seq <= upTo && (since === null ? !i.deleted : i.seq > since))
      .sort((a, b) => a.seq - b.seq);
    const top = Math.min(Number(query.get('$top') ?? 200), this.maxPageSize);
    const from = Number(query.get('skip') ?? 0);
    const body: Record<string, unknown> = {
      value: changed.slice(from, from + top).map((i) => this.itemJson(drive, i, false)),
    };
    if (from + top < changed.length) {
      body['@odata.nextLink'] = this.link(request, {
        ...(token === null ? {} : { token }),
        upto: String(upTo),
        skip: String(from + top),
      });
    } else {
      const url = new URL(this.link(request, { token: String(upTo) }));
      url.searchParams.delete('upto');
      url.searchParams.delete('skip');
      body['@odata.deltaLink'] = url.href;
    }
    return jsonReply(200, body);
  }

  private sitePage(id: string): Reply {
    const page = this.pages.find((p) => p.id === id);
    if (!page) return graphError(404, 'itemNotFound', 'The page could not be found.');
    return jsonReply(200, {
      id: page.id,
      name: page.name,
      title: page.title,
      webUrl: `https://contoso.sharepoint.com/sites/support/SitePages/${page.name}`,
      lastModifiedDateTime: page.modified,
      canvasLayout: {
        horizontalSections: [
          {
            id: '1',
            layout: 'oneColumn',
            columns: [
              {
                id: '1',
                width: 12,
                webparts: [
                  { '@odata.type': '#microsoft.graph.textWebPart', id: 'w1', innerHtml: page.html },
                  { '@odata.type': '#microsoft.graph.standardWebPart', id: 'w2', webPartType: 'image' },
                ],
              },
            ],
          },
        ],
      },
    });
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
