import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Notion API on 127.0.0.1, built from the documented shapes (Notion-Version 2025-09-03): GET /v1/users/me,
 * POST /v1/search (filter by object, sort by last_edited_time, start_cursor/next_cursor/has_more), GET
 * /v1/pages/{id}, /v1/databases/{id} (with data_sources), /v1/blocks/{id} and /v1/blocks/{id}/children (paged),
 * error bodies `{object:'error', status, code, message}`, 429 with Retry-After. Tests mutate `pages` directly.
 */
export interface FakeBlock {
  id: string;
  type: string;
  /** The type's payload, e.g. `{ rich_text: rt('hi') }`. */
  data?: Record<string, unknown>;
  children?: FakeBlock[];
}

export type FakeParent =
  | { type: 'workspace'; workspace: true }
  | { type: 'page_id'; page_id: string }
  | { type: 'data_source_id'; data_source_id: string; database_id: string }
  | { type: 'block_id'; block_id: string };

export interface FakePage {
  id: string;
  title: string;
  parent: FakeParent;
  lastEdited: Date;
  blocks: FakeBlock[];
  /** Extra properties besides the title, in the API's shape. */
  properties?: Record<string, unknown>;
}

export interface FakeDatabase {
  id: string;
  title: string;
  parent: FakeParent;
  dataSourceId: string;
}

/** Rich text in the API's shape. */
export function rt(
  text: string,
  annotations: Partial<{ bold: boolean; italic: boolean; code: boolean }> = {},
  href: string | null = null,
): unknown[] {
  return [
    {
      type: 'text',
      text: { content: text, link: href ? { url: href } : null },
      annotations: {
        bold: false,
        italic: false,
        strikethrough: false,
        underline: false,
        code: false,
        color: 'default',
        ...annotations,
      },
      plain_text: text,
      href,
    },
  ];
}

export const workspace: FakeParent = { type: 'workspace', workspace: true };

export class FakeNotion {
  readonly pages = new Map<string, FakePage>();
  readonly databases = new Map<string, FakeDatabase>();
  readonly requests: { method: string; path: string; body: unknown; version: string | undefined }[] = [];
  rateLimit = { remaining: 0, retryAfterSeconds: 1 };
  malformNextSearch = false;
  afterSearch: (() => void) | null = null;
  /** Block children pages are at most this long, whatever page_size asks (to exercise paging). */
  childrenPageSize = 2;
  private server: http.Server | null = null;

  constructor(private readonly token: string) {}

  addPage(page: Omit<FakePage, 'blocks'> & { blocks?: FakeBlock[] }): FakePage {
    const full = { blocks: [], ...page };
    this.pages.set(full.id, full);
    return full;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    const version = req.headers['notion-version'];
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      body,
      version: version as string | undefined,
    });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    const error = (
      status: number,
      code: string,
      message: string,
      headers: Record<string, string> = {},
    ): void => send(status, { object: 'error', status, code, message, request_id: 'req-fake' }, headers);
    if (this.rateLimit.remaining > 0) {
      this.rateLimit.remaining--;
      return error(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
        'Retry-After': String(this.rateLimit.retryAfterSeconds),
      });
    }
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return error(401, 'unauthorized', 'API token is invalid.');
    if (typeof version !== 'string')
      return error(400, 'missing_version', 'Notion-Version header failed validation.');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/users/me')
      return send(200, {
        object: 'user',
        id: 'bot-1',
        type: 'bot',
        name: 'Airdesk',
        bot: { workspace_name: 'Acme' },
      });
    if (req.method === 'POST' && path === '/v1/search') return this.search(body, send);
    const notFound = (kind: string, id: string): void =>
      error(
        404,
        'object_not_found',
        `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    const match = /^\/v1\/(pages|databases|blocks)\/([^/]+)(\/children)?$/.exec(path);
    if (req.method !== 'GET' || !match) return error(400, 'invalid_request_url', 'Invalid request URL.');
    const [, kind, id = '', children] = match;
    if (kind === 'pages') {
      const page = this.pages.get(id);
      return page ? send(200, this.pageJson(page)) : notFound('page', id);
    }
    if (kind === 'databases') {
      const database = this.databases.get(id);
      if (!database) return notFound('database', id);
      return send(200, {
        object: 'database',
        id,
        title: rt(database.title),
        parent: database.parent,
        data_sources: [{ id: database.dataSourceId, name: database.title }],
      });
    }
    const found = this.findBlock(id);
    if (!found) return notFound('block', id);
    if (!children) return send(200, found.json);
    const start = Number(url.searchParams.get('start_cursor') ?? 0);
    const size = Math.min(Number(url.searchParams.get('page_size') ?? 100), this.childrenPageSize);
    const slice = found.children.slice(start, start + size);
    const end = start + slice.length;
    send(200, {
      object: 'list',
      results: slice.map((block) => this.blockJson(block, found.parent)),
      next_cursor: end < found.children.length ? String(end) : null,
      has_more: end < found.children.length,
      type: 'block',
      block: {},
      request_id: 'req-fake',
    });
  }

  private search(body: unknown, send: (status: number, payload: unknown) => void): void {
    const request = (body ?? {}) as {
      filter?: { value?: string };
      start_cursor?: string;
      page_size?: number;
    };
    if (this.malformNextSearch) {
      this.malformNextSearch = false;
      send(200, { object: 'list', results: 'not-a-list', has_more: 'maybe' });
      return;
    }
    const all = request.filter?.value === 'page' ? [...this.pages.values()] : [];
    all.sort((a, b) => b.lastEdited.getTime() - a.lastEdited.getTime() || a.id.localeCompare(b.id));
    // Notion's cursors are opaque; this one names the first page of the next slice.
    const start = request.start_cursor ? all.findIndex((page) => page.id === request.start_cursor) : 0;
    const size = Math.min(request.page_size ?? 100, 100);
    const slice = all.slice(Math.max(0, start), Math.max(0, start) + size);
    const next = all[Math.max(0, start) + size];
    send(200, {
      object: 'list',
      results: slice.map((page) => this.pageJson(page)),
      next_cursor: next?.id ?? null,
      has_more: next !== undefined,
      type: 'page_or_data_source',
      page_or_data_source: {},
      request_id: 'req-fake',
    });
    this.afterSearch?.();
  }

  private pageJson(page: FakePage): unknown {
    const edited = new Date(Math.floor(page.lastEdited.getTime() / 60_000) * 60_000).toISOString();
    return {
      object: 'page',
      id: page.id,
      created_time: edited,
      last_edited_time: edited,
      in_trash: false,
      archived: false,
      parent: page.parent,
      url: `https://www.notion.so/${page.title.replace(/\W+/g, '-')}-${page.id.replace(/-/g, '')}`,
      properties: { ...page.properties, title: { id: 'title', type: 'title', title: rt(page.title) } },
    };
  }

  private blockJson(block: FakeBlock, parent: FakeParent): unknown {
    return {
      object: 'block',
      id: block.id,
      parent,
      type: block.type,
      has_children: (block.children?.length ?? 0) > 0,
      in_trash: false,
      [block.type]: block.data ?? {},
    };
  }

  /** A page (as its own block) or a block anywhere in a page, with its children and the parent of those. */
  private findBlock(id: string): { json: unknown; children: FakeBlock[]; parent: FakeParent } | null {
    const page = this.pages.get(id);
    if (page)
      return {
        json: this.blockJson(
          { id, type: 'child_page', data: { title: page.title }, children: page.blocks },
          page.parent,
        ),
        children: page.blocks,
        parent: { type: 'page_id', page_id: id },
      };
    for (const owner of this.pages.values()) {
      const walk = (blocks: FakeBlock[], parent: FakeParent): ReturnType<FakeNotion['findBlock']> => {
        for (const block of blocks) {
          if (block.id === id)
            return {
              json: this.blockJson(block, parent),
              children: block.children ?? [],
              parent: { type: 'block_id', block_id: id },
            };
          const inner = walk(block.children ?? [], { type: 'block_id', block_id: block.id });
          if (inner) return inner;
        }
        return null;
      };
      const hit = walk(owner.blocks, { type: 'page_id', page_id: owner.id });
      if (hit) return hit;
    }
    return null;
  }
}
