import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakePage, FakeSpace } from './fake-confluence-model.testing.js';
import { confluenceTime, CqlError, generatePages, parseCql } from './fake-confluence-model.testing.js';

export type { FakePage, FakeSpace } from './fake-confluence-model.testing.js';

/**
 * A Confluence Server / Data Center REST API on 127.0.0.1 for tests and `bench:sync`, built from the documented
 * shapes: bearer personal access tokens, `/rest/api/user/current`, `/space/{key}`, `/content` (paged by start/limit
 * with `_links.next`), `/content/search?cql=` (the CQL subset in fake-confluence-model), `/content/{id}?expand=`,
 * `/content/{id}/restriction/byOperation/read`, and errors as `{statusCode, message}`. The token's user sees every
 * page (like the service account a connector runs as); restrictions are data to report, not enforced.
 */
export interface FakeConfluenceOptions {
  /** Generated pages spread over `spaces` (default 0). */
  pages?: number;
  /** Space keys created up front (default DOCS, SUP). */
  spaces?: string[];
  /** Context path such as `/wiki` (default none). */
  contextPath?: string;
  token?: string;
  /** The server's time zone: CQL dates are read and `version.when` written in it (default +120, UTC+2). */
  timeZoneOffsetMinutes?: number;
  /** Server clock minus real clock, ms (default 0). */
  clockSkewMs?: number;
  /** The most results one request returns, whatever `limit` asks (default 100). */
  maxLimit?: number;
  seed?: number;
}

export interface FakeResponse {
  status: number;
  /** JSON body; `raw` wins when both are set. */
  body?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  /** Path below the context path, e.g. `/rest/api/content/search`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export interface FakeConfluence {
  /** Base URL including the context path, as an admin would configure it. */
  url: string;
  token: string;
  spaces: Map<string, FakeSpace>;
  pages: Map<string, FakePage>;
  requests: RecordedRequest[];
  /** Called before each request is answered (e.g. delete a page between a search and its fetch). */
  onRequest: ((request: RecordedRequest) => void) | null;
  /** The server's clock, ms. */
  now(): number;
  addSpace(key: string, name?: string, status?: FakeSpace['status']): FakeSpace;
  addPage(page: Partial<FakePage> & { spaceKey: string; title: string }): FakePage;
  /** A new version now: bumps `version`, sets the modification time, optionally a new title or body. */
  editPage(id: string, change?: { title?: string; body?: string }): FakePage;
  deletePage(id: string): void;
  setRestrictions(id: string, read: { users?: string[]; groups?: string[] }): void;
  /** The token stops working (401 on every call), as when it expires or is revoked. */
  expireToken(): void;
  /** The next `times` requests whose path matches get this answer instead. */
  failNext(match: string | RegExp, response: FakeResponse, times?: number): void;
  close(): Promise<void>;
}

const errorBody = (statusCode: number, message: string): FakeResponse => ({
  status: statusCode,
  body: { statusCode, message, reason: http.STATUS_CODES[statusCode] },
});

export async function startFakeConfluence(options: FakeConfluenceOptions = {}): Promise<FakeConfluence> {
  const contextPath = options.contextPath ?? '';
  const offset = options.timeZoneOffsetMinutes ?? 120;
  const skew = options.clockSkewMs ?? 0;
  const maxLimit = options.maxLimit ?? 100;
  const now = (): number => Date.now() + skew;
  let token = options.token ?? 'pat-fake-confluence-token';
  let nextId = 100_000;
  const spaces = new Map<string, FakeSpace>();
  const pages = new Map<string, FakePage>();
  const faults: { match: string | RegExp; response: FakeResponse; times: number }[] = [];
  let byModified: FakePage[] | null = null;
  const changed = (): void => {
    byModified = null;
  };
  let base = '';

  const fake: FakeConfluence = {
    url: '',
    token,
    spaces,
    pages,
    requests: [],
    onRequest: null,
    now,
    addSpace(key, name = `${key} space`, status = 'current') {
      const space = { key, name, status };
      spaces.set(key, space);
      return space;
    },
    addPage(page) {
      if (!spaces.has(page.spaceKey)) fake.addSpace(page.spaceKey);
      const created: FakePage = {
        id: String(nextId++),
        parentId: null,
        body: '<p></p>',
        version: 1,
        modifiedAt: now(),
        status: 'current',
        readUsers: [],
        readGroups: [],
        ...page,
      };
      pages.set(created.id, created);
      changed();
      return created;
    },
    editPage(id, change = {}) {
      const page = pages.get(id);
      if (!page) throw new Error(`no page ${id}`);
      Object.assign(page, change, { version: page.version + 1, modifiedAt: now() });
      changed();
      return page;
    },
    deletePage(id) {
      pages.delete(id);
      changed();
    },
    setRestrictions(id, read) {
      const page = pages.get(id);
      if (!page) throw new Error(`no page ${id}`);
      page.readUsers = read.users ?? [];
      page.readGroups = read.groups ?? [];
    },
    expireToken() {
      token = `expired-${token}`;
    },
    failNext(match, response, times = 1) {
      faults.push({ match, response, times });
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };

  for (const key of options.spaces ?? ['DOCS', 'SUP']) fake.addSpace(key, `${key} knowledge base`);
  for (const page of generatePages(options.pages ?? 0, [...spaces.keys()], now(), options.seed ?? 1, nextId))
    pages.set(page.id, page);
  nextId += options.pages ?? 0;

  const sortedByModified = (): FakePage[] =>
    (byModified ??= [...pages.values()].sort(
      (a, b) => a.modifiedAt - b.modifiedAt || Number(a.id) - Number(b.id),
    ));

  const webui = (page: FakePage): string => `/pages/viewpage.action?pageId=${page.id}`;
  const spaceJson = (space: FakeSpace | undefined, key: string) => ({
    id: key.length,
    key,
    name: space?.name ?? key,
    type: 'global',
    status: space?.status ?? 'current',
    _links: { webui: `/display/${key}`, self: `${base}/rest/api/space/${key}` },
  });
  const restrictionJson = (page: FakePage) => ({
    operation: 'read',
    restrictions: {
      user: {
        results: page.readUsers.map((username) => ({
          type: 'known',
          username,
          userKey: `key-${username}`,
          displayName: username,
        })),
        start: 0,
        limit: 200,
        size: page.readUsers.length,
      },
      group: {
        results: page.readGroups.map((name) => ({ type: 'group', name })),
        start: 0,
        limit: 200,
        size: page.readGroups.length,
      },
    },
    _links: { self: `${base}/rest/api/content/${page.id}/restriction/byOperation/read` },
  });
  const ancestorsOf = (page: FakePage): FakePage[] => {
    const chain: FakePage[] = [];
    for (
      let parent = page.parentId ? pages.get(page.parentId) : undefined;
      parent && chain.length < 50;
      parent = parent.parentId ? pages.get(parent.parentId) : undefined
    )
      chain.unshift(parent);
    return chain;
  };
  const contentJson = (page: FakePage, expand: Set<string>): Record<string, unknown> => {
    const json: Record<string, unknown> = {
      id: page.id,
      type: 'page',
      status: page.status,
      title: page.title,
    };
    if (expand.has('space')) json.space = spaceJson(spaces.get(page.spaceKey), page.spaceKey);
    if (expand.has('version'))
      json.version = {
        by: { type: 'known', username: 'author' },
        when: confluenceTime(page.modifiedAt, offset),
        number: page.version,
        minorEdit: false,
      };
    if (expand.has('ancestors'))
      json.ancestors = ancestorsOf(page).map((a) => ({
        id: a.id,
        type: 'page',
        status: a.status,
        title: a.title,
        _links: { webui: webui(a) },
      }));
    if (expand.has('body.storage')) json.body = { storage: { value: page.body, representation: 'storage' } };
    if ([...expand].some((e) => e.startsWith('restrictions.read')))
      json.restrictions = { read: restrictionJson(page) };
    json._links = { webui: webui(page), self: `${base}/rest/api/content/${page.id}` };
    json._expandable = { children: '', history: '' };
    return json;
  };
  const paged = (items: unknown[], start: number, limit: number, path: string, query: URLSearchParams) => {
    const slice = items.slice(start, start + limit);
    const links: Record<string, string> = {
      base,
      context: contextPath,
      self: `${base}${path}?${query.toString()}`,
    };
    if (start + slice.length < items.length) {
      const next = new URLSearchParams(query);
      next.set('start', String(start + slice.length));
      next.set('limit', String(limit));
      links.next = `${path}?${next.toString()}`;
    }
    return { results: slice, start, limit, size: slice.length, _links: links };
  };

  const answer = (request: RecordedRequest): FakeResponse => {
    const fault = faults.find((f) =>
      typeof f.match === 'string' ? request.path === f.match : f.match.test(request.path),
    );
    if (fault) {
      if (--fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      return fault.response;
    }
    if (!request.path.startsWith('/rest/api/'))
      return { status: 404, raw: '<html><body>Page not found</body></html>', contentType: 'text/html' };
    if (request.authorization !== `Bearer ${token}`)
      return errorBody(401, 'This request requires authentication.');
    const { query } = request;
    const path = request.path.slice('/rest/api'.length);
    const start = Math.max(0, Number(query.get('start') ?? 0) || 0);
    const limit = Math.min(maxLimit, Math.max(1, Number(query.get('limit') ?? 25) || 25));
    const expand = new Set((query.get('expand') ?? '').split(',').filter(Boolean));
    if (path === '/user/current')
      return {
        status: 200,
        body: {
          type: 'known',
          username: 'svc-airdesk',
          userKey: 'key-svc-airdesk',
          displayName: 'airdesk service',
        },
      };
    let match = /^\/space\/([^/]+)$/.exec(path);
    if (match) {
      const key = decodeURIComponent(match[1] ?? '');
      const space = spaces.get(key);
      return space
        ? { status: 200, body: spaceJson(space, key) }
        : errorBody(404, `No space with key : ${key}`);
    }
    if (path === '/content/search') {
      let cql;
      try {
        cql = parseCql(query.get('cql') ?? '', offset);
      } catch (error) {
        if (error instanceof CqlError) return errorBody(400, error.message);
        throw error;
      }
      const statuses: string[] = (
        JSON.parse(query.get('cqlcontext') ?? '{}') as { contentStatuses?: string[] }
      ).contentStatuses ?? ['current'];
      const hits = sortedByModified().filter((page) => statuses.includes(page.status) && cql.matches(page));
      if (cql.descending) hits.reverse();
      const json = paged(hits, start, limit, `/rest/api/content/search`, query);
      return {
        status: 200,
        body: {
          ...json,
          results: (json.results as FakePage[]).map((page) => contentJson(page, expand)),
          totalSize: hits.length,
        },
      };
    }
    if (path === '/content') {
      const status = query.get('status') ?? 'current';
      const items = [...pages.values()].filter(
        (page) => page.spaceKey === query.get('spaceKey') && page.status === status,
      );
      const json = paged(items, start, limit, '/rest/api/content', query);
      return {
        status: 200,
        body: { ...json, results: (json.results as FakePage[]).map((page) => contentJson(page, expand)) },
      };
    }
    match = /^\/content\/(\d+)(\/restriction\/byOperation\/read)?$/.exec(path);
    if (match) {
      const page = pages.get(match[1] ?? '');
      const statuses = query.get('status') === 'any' ? ['current', 'archived'] : ['current'];
      if (!page || !statuses.includes(page.status))
        return errorBody(404, `No content found with id: ContentId{id=${match[1]}}`);
      return { status: 200, body: match[2] ? restrictionJson(page) : contentJson(page, expand) };
    }
    return errorBody(404, `null for uri: ${base}${request.path}`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const inContext = url.pathname.startsWith(`${contextPath}/`);
    const request: RecordedRequest = {
      path: inContext ? url.pathname.slice(contextPath.length) : url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
    };
    fake.requests.push(request);
    fake.onRequest?.(request);
    const response = inContext
      ? answer(request)
      : { status: 404, raw: 'Not Found', contentType: 'text/plain' };
    const body = response.raw ?? JSON.stringify(response.body ?? null);
    res.writeHead(response.status, {
      'Content-Type': response.contentType ?? 'application/json;charset=UTF-8',
      Date: new Date(now()).toUTCString(),
      ...response.headers,
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}${contextPath}`;
  fake.url = base;
  return fake;
}
