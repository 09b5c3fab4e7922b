import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Jira (Server/Data Center REST v2 and Cloud v3) on 127.0.0.1, built from the documented shapes:
 * GET /rest/api/{2,3}/myself, POST /rest/api/2/search (startAt/maxResults/total), POST /rest/api/3/search/jql
 * (nextPageToken/isLast), GET /rest/api/{2,3}/issue/{key}/comment (paged), error bodies
 * `{errorMessages, errors}`, 401 on a bad credential and 429 with Retry-After. JQL dates are read in the user's
 * time zone, like Jira. Tests mutate `issues` directly.
 */
export interface FakeComment {
  id: string;
  author: string;
  body: string;
  created: Date;
}

export interface FakeIssue {
  key: string;
  projectName: string;
  issueType: string;
  summary: string;
  /** Wiki markup; v3 serves it as ADF paragraphs. */
  description: string;
  status: string;
  resolution: string | null;
  updated: Date;
  comments: FakeComment[];
}

export interface FakeJiraOptions {
  /** Accepted `Authorization: Bearer` token. */
  token?: string;
  /** Accepted basic credential. */
  basic?: { email: string; token: string };
  timeZone?: string;
}

interface RequestRecord {
  method: string;
  path: string;
  body: unknown;
}

export class FakeJira {
  readonly issues = new Map<string, FakeIssue>();
  readonly requests: RequestRecord[] = [];
  /** The next N requests are answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit = { remaining: 0, retryAfterSeconds: 1 };
  /** The next search answers 200 with a body that is not a search result. */
  malformNextSearch = false;
  /** Runs after each search response is built (e.g. to delete an issue mid-run). */
  afterSearch: (() => void) | null = null;
  readonly timeZone: string;
  private server: http.Server | null = null;
  private nextId = 10000;

  constructor(private readonly options: FakeJiraOptions = {}) {
    this.timeZone = options.timeZone ?? 'UTC';
  }

  addIssue(issue: Partial<FakeIssue> & { key: string; updated: Date }): FakeIssue {
    const full: FakeIssue = {
      projectName: 'Support',
      issueType: 'Question',
      summary: `Summary of ${issue.key}`,
      description: `Description of ${issue.key}`,
      status: 'Done',
      resolution: 'Fixed',
      comments: [],
      ...issue,
    };
    this.issues.set(full.key, full);
    return full;
  }

  addComment(key: string, author: string, body: string, created: Date): void {
    this.issues.get(key)?.comments.push({ id: String(this.nextId++), author, body, created });
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
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (this.rateLimit.remaining > 0) {
      this.rateLimit.remaining--;
      send(
        429,
        { errorMessages: ['Rate limit exceeded.'], errors: {} },
        {
          'Retry-After': String(this.rateLimit.retryAfterSeconds),
        },
      );
      return;
    }
    if (!this.authorized(req.headers.authorization)) {
      send(
        401,
        {
          errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
          errors: {},
        },
        { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED' },
      );
      return;
    }
    const route = /^\/rest\/api\/([23])\/(.*)$/.exec(url.pathname);
    const version = route?.[1] === '3' ? 3 : 2;
    const rest = route?.[2] ?? '';
    if (req.method === 'GET' && rest === 'myself') {
      send(200, {
        name: 'svc-airdesk',
        key: 'svc-airdesk',
        displayName: 'Airdesk Service',
        timeZone: this.timeZone,
      });
      return;
    }
    if (req.method === 'POST' && version === 2 && rest === 'search') return this.search(body, send, 2);
    if (req.method === 'POST' && version === 3 && rest === 'search/jql') return this.search(body, send, 3);
    const comment = /^issue\/([^/]+)\/comment$/.exec(rest);
    if (req.method === 'GET' && comment) {
      const issue = this.issues.get(decodeURIComponent(comment[1] ?? ''));
      if (!issue) {
        send(404, {
          errorMessages: ['Issue does not exist or you do not have permission to see it.'],
          errors: {},
        });
        return;
      }
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const maxResults = Math.min(Number(url.searchParams.get('maxResults') ?? 50), 2);
      const slice = issue.comments.slice(startAt, startAt + maxResults);
      send(200, {
        startAt,
        maxResults,
        total: issue.comments.length,
        comments: slice.map((c) => ({
          id: c.id,
          author: { name: c.author.toLowerCase(), displayName: c.author },
          body: version === 2 ? c.body : adf(c.body),
          created: jiraDate(c.created),
          updated: jiraDate(c.created),
        })),
      });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<html><body>Oops, you found a dead link.</body></html>');
  }

  private authorized(header: string | undefined): boolean {
    if (this.options.token !== undefined && header === `Bearer ${this.options.token}`) return true;
    const basic = this.options.basic;
    if (basic === undefined) return false;
    return header === `Basic ${Buffer.from(`${basic.email}:${basic.token}`).toString('base64')}`;
  }

  private search(body: unknown, send: (status: number, payload: unknown) => void, version: 2 | 3): void {
    const request = body as {
      jql: string;
      startAt?: number;
      maxResults?: number;
      fields?: string[];
      nextPageToken?: string;
    };
    const matched = this.query(request.jql);
    if (typeof matched === 'string') {
      send(400, { errorMessages: [matched], errors: {} });
      return;
    }
    if (this.malformNextSearch) {
      this.malformNextSearch = false;
      send(200, { startAt: 0, total: 'lots', issues: 'not-an-array' });
      return;
    }
    const startAt =
      version === 2
        ? (request.startAt ?? 0)
        : Number(Buffer.from(request.nextPageToken ?? 'MA==', 'base64').toString());
    const maxResults = request.maxResults ?? 50;
    const slice = matched.slice(startAt, startAt + maxResults);
    const fields = request.fields ?? [];
    const issues = slice.map((issue) => ({
      id: issue.key.replace(/\D/g, ''),
      self: `/rest/api/${version}/issue/${issue.key}`,
      key: issue.key,
      fields: this.fields(issue, fields, version),
    }));
    const end = startAt + slice.length;
    if (version === 2)
      send(200, { expand: 'names,schema', startAt, maxResults, total: matched.length, issues });
    else
      send(200, {
        issues,
        isLast: end >= matched.length,
        ...(end < matched.length ? { nextPageToken: Buffer.from(String(end)).toString('base64') } : {}),
      });
    this.afterSearch?.();
  }

  private fields(issue: FakeIssue, wanted: string[], version: 2 | 3): Record<string, unknown> {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      description: version === 2 ? issue.description : adf(issue.description),
      resolution: issue.resolution === null ? null : { name: issue.resolution },
      resolutiondate: issue.resolution === null ? null : jiraDate(issue.updated),
      status: { name: issue.status },
      updated: jiraDate(issue.updated),
      created: jiraDate(issue.updated),
      project: { key: issue.key.split('-')[0], name: issue.projectName },
      issuetype: { name: issue.issueType },
    };
    return Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));
  }

  /** The issues a JQL query selects, in its order, or Jira's error message. */
  private query(jql: string): FakeIssue[] | string {
    const [where = '', order = ''] = jql.split(/\s+ORDER\s+BY\s+/i);
    const tests: ((issue: FakeIssue) => boolean)[] = [];
    for (const clause of where
      .replace(/[()]/g, ' ')
      .split(/\s+AND\s+/i)
      .map((c) => c.trim())) {
      if (clause === '') continue;
      const project = /^project\s*=\s*"?(\w+)"?$/i.exec(clause);
      const updated = /^updated\s*>=\s*"(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})"$/.exec(clause);
      if (project) tests.push((issue) => issue.key.startsWith(`${project[1]}-`));
      else if (/^resolution\s+is\s+not\s+empty$/i.test(clause))
        tests.push((issue) => issue.resolution !== null);
      else if (/^resolution\s+is\s+empty$/i.test(clause)) tests.push((issue) => issue.resolution === null);
      else if (updated) {
        const [, y, mo, d, h, mi] = updated.map(Number) as [number, number, number, number, number, number];
        const since = zonedToUtc(y, mo, d, h, mi, this.timeZone);
        tests.push((issue) => issue.updated.getTime() >= since);
      } else {
        const field = clause.split(/\s/)[0] ?? clause;
        return `Field '${field}' does not exist or you do not have permission to view it.`;
      }
    }
    const keyOrder = (a: FakeIssue, b: FakeIssue): number =>
      a.key.split('-')[0]!.localeCompare(b.key.split('-')[0]!) ||
      Number(a.key.split('-')[1]) - Number(b.key.split('-')[1]);
    const byUpdated = /^updated/i.test(order.trim());
    return [...this.issues.values()]
      .filter((issue) => tests.every((test) => test(issue)))
      .sort((a, b) => (byUpdated ? a.updated.getTime() - b.updated.getTime() : 0) || keyOrder(a, b));
  }
}

function adf(text: string): unknown {
  return {
    type: 'doc',
    version: 1,
    content: text.split('\n').map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
  };
}

/** Jira's date format: `2024-01-15T10:23:45.000+0000`. */
function jiraDate(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** The UTC instant of a wall-clock minute in `timeZone`. */
function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (instant: number): number => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(instant);
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - instant;
  };
  const guess = wall - offsetAt(wall);
  return wall - offsetAt(guess);
}
