import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isAppError,
  type Checkpoint,
  type ConnectorSource,
  type ItemFailure,
  type SourceDocument,
  type SyncWindow,
} from '../../core/contract/index.js';
import jiraConnector, { type JiraSettings } from './index.js';
import { FakeJira } from './fake-jira.testing.js';

const signal = new AbortController().signal;
const token = 'pat-123';

function source(
  baseUrl: string,
  overrides: Partial<JiraSettings> = {},
  secret = token,
  log?: (line: string) => void,
): ConnectorSource {
  const settings = jiraConnector.settingsSchema.parse({
    baseUrl,
    jql: 'project = SUP AND resolution is not EMPTY ORDER BY created DESC',
    token: { env: 'JIRA_TOKEN' },
    auth: { kind: 'bearer' },
    pageSize: 3,
    ...overrides,
  });
  return jiraConnector.create(settings, { secrets: { token: secret }, fetch: globalThis.fetch, log });
}

/** Runs a whole window the way the runner does: page by page, the checkpoint saved as JSON in between. */
async function sync(
  src: ConnectorSource,
  window: SyncWindow,
): Promise<{ docs: SourceDocument[]; failures: ItemFailure[]; pages: number }> {
  const docs: SourceDocument[] = [];
  const failures: ItemFailure[] = [];
  let checkpoint: Checkpoint = src.initialCheckpoint();
  let pages = 0;
  do {
    const generator = src.load(window, checkpoint, signal);
    for (;;) {
      const step = await generator.next();
      if (step.done) {
        checkpoint = JSON.parse(JSON.stringify(step.value)) as Checkpoint;
        break;
      }
      if ('failure' in step.value) failures.push(step.value);
      else docs.push(step.value);
    }
    pages++;
  } while (checkpoint.hasMore && pages < 50);
  return { docs, failures, pages };
}

async function listIds(src: ConnectorSource): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of src.listIds!(signal)) ids.push(id);
  return ids.sort();
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

const t0 = new Date('2024-03-01T08:00:00Z');
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);
const full: SyncWindow = { start: null, end: '2030-01-01T00:00:00Z' };

describe('Jira connector', () => {
  let fake: FakeJira;
  let baseUrl: string;

  beforeEach(async () => {
    fake = new FakeJira({
      token,
      basic: { email: 'ops@example.com', token: 'api-tok' },
      timeZone: 'Asia/Kolkata',
    });
    baseUrl = await fake.start();
    for (let i = 1; i <= 8; i++) fake.addIssue({ key: `SUP-${i}`, updated: minutes(i) });
    // Three issues updated in the same minute straddle a page boundary.
    fake.addIssue({ key: 'SUP-9', updated: new Date(minutes(8).getTime() + 10_000) });
    fake.addIssue({ key: 'SUP-10', updated: new Date(minutes(8).getTime() + 20_000) });
    fake.addIssue({ key: 'SUP-11', updated: minutes(20), resolution: null });
    fake.addIssue({ key: 'OPS-1', updated: minutes(3) });
    const one = fake.issues.get('SUP-1')!;
    one.summary = 'VPN drops every hour';
    one.description = 'h2. Symptoms\nThe *VPN* drops.\n* first\n* second\n{code:bash}\nvpn --reset\n{code}';
    fake.addComment('SUP-1', 'Alice Agent', 'Did you update the client?', new Date('2024-03-02T09:00:00Z'));
    fake.addComment('SUP-1', 'Bob Customer', 'Yes, 5.2.', new Date('2024-03-02T10:00:00Z'));
    fake.addComment('SUP-1', 'Alice Agent', 'Then set _keepalive_ to 30.', new Date('2024-03-03T10:00:00Z'));
  });
  afterEach(async () => {
    await fake.close();
  });

  it('validates a good connection with a bearer token and with basic auth', async () => {
    await source(baseUrl).validate(signal);
    const basic = source(baseUrl, { auth: { kind: 'basic', email: 'ops@example.com' } }, 'api-tok');
    await basic.validate(signal);
  });

  it('says a bad token is unauthorized', async () => {
    const error = await errorOf(source(baseUrl, {}, 'wrong').validate(signal));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/token/);
  });

  it('names the JQL problem when the JQL is invalid', async () => {
    const error = await errorOf(source(baseUrl, { jql: 'projekt = SUP' }).validate(signal));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('projekt = SUP');
    expect(error.message).toContain("Field 'projekt' does not exist");
  });

  it('says a URL that is not Jira is invalid input', async () => {
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>Welcome to nginx!</html>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const error = await errorOf(source(url).validate(signal));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(/does not look like Jira/);
      // A Jira-free path on a real server (404) is invalid input too.
      const missing = await errorOf(source(`${baseUrl}/wiki`).validate(signal));
      expect(missing.code).toBe('invalid_input');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('says an unreachable server is unavailable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await errorOf(source(`http://127.0.0.1:${port}`).validate(signal));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/unreachable/);
  });

  it('loads every matching issue over several pages, with comments, as Markdown', async () => {
    const { docs, failures, pages } = await sync(source(baseUrl), full);
    expect(failures).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(docs.map((d) => d.externalId).sort()).toEqual(
      ['SUP-1', 'SUP-10', 'SUP-2', 'SUP-3', 'SUP-4', 'SUP-5', 'SUP-6', 'SUP-7', 'SUP-8', 'SUP-9'].sort(),
    );
    expect(new Set(docs.map((d) => d.externalId)).size).toBe(docs.length);
    const doc = docs.find((d) => d.externalId === 'SUP-1')!;
    expect(doc.title).toBe('[SUP-1] VPN drops every hour');
    expect(doc.url).toBe(`${baseUrl}/browse/SUP-1`);
    expect(doc.hierarchy).toEqual(['Support', 'Question']);
    expect(doc.updatedAt).toBe(minutes(1).toISOString());
    const markdown = doc.content.kind === 'markdown' ? doc.content.markdown : '';
    expect(markdown).toContain('## Symptoms');
    expect(markdown).toContain('The **VPN** drops.');
    expect(markdown).toContain('- first');
    expect(markdown).toContain('```bash\nvpn --reset\n```');
    expect(markdown).toContain('## Resolution\n\nFixed');
    expect(markdown).toContain('### Alice Agent on 2024-03-02\n\nDid you update the client?');
    expect(markdown).toContain('### Alice Agent on 2024-03-03\n\nThen set *keepalive* to 30.');
    expect(fake.requests.some((r) => r.path === '/rest/api/2/search')).toBe(true);
  });

  it('loads only issues changed since the window start, in the account time zone', async () => {
    await sync(source(baseUrl), full);
    const edited = fake.issues.get('SUP-4')!;
    edited.summary = 'Printer offline after update';
    edited.updated = new Date('2024-06-01T12:00:30Z');
    // Changed five hours earlier: a window written in UTC but read in Kolkata (+05:30) would include it.
    fake.issues.get('SUP-5')!.updated = new Date('2024-06-01T07:00:00Z');
    const window = { start: '2024-06-01T12:00:00Z', end: '2024-06-01T13:00:00Z' };
    const { docs } = await sync(source(baseUrl), window);
    expect(docs.map((d) => d.externalId)).toEqual(['SUP-4']);
    expect(docs[0]?.title).toBe('[SUP-4] Printer offline after update');
    const search = fake.requests.filter((r) => r.path === '/rest/api/2/search').at(-1)!.body as {
      jql: string;
    };
    expect(search.jql).toBe(
      '(project = SUP AND resolution is not EMPTY) AND updated >= "2024/06/01 17:30" ORDER BY updated ASC, key ASC',
    );
  });

  it('re-reads instead of skipping when an issue already loaded is updated mid-run', async () => {
    const logged: string[] = [];
    const src = source(baseUrl, {}, token, (line) => logged.push(line));
    let checkpoint = src.initialCheckpoint();
    const seen = new Set<string>();
    for (let page = 0; page < 50; page++) {
      const generator = src.load(full, checkpoint, signal);
      for (let step = await generator.next(); ; step = await generator.next()) {
        if (step.done) {
          checkpoint = step.value;
          break;
        }
        if (!('failure' in step.value)) seen.add(step.value.externalId);
      }
      // After the page that ended inside minute 8, SUP-8 (already loaded) is edited and jumps to the end.
      if (seen.has('SUP-9') && fake.issues.get('SUP-8')!.updated < minutes(30))
        fake.issues.get('SUP-8')!.updated = minutes(30);
      if (!checkpoint.hasMore) break;
    }
    expect(logged.some((line) => line.includes('moved while paging'))).toBe(true);
    expect([...seen].sort()).toEqual(
      ['SUP-1', 'SUP-10', 'SUP-2', 'SUP-3', 'SUP-4', 'SUP-5', 'SUP-6', 'SUP-7', 'SUP-8', 'SUP-9'].sort(),
    );
  });

  it('lists current ids so deleted issues are pruned', async () => {
    const src = source(baseUrl);
    expect(await listIds(src)).toHaveLength(10);
    fake.issues.delete('SUP-3');
    const ids = await listIds(src);
    expect(ids).toHaveLength(9);
    expect(ids).not.toContain('SUP-3');
    const listing = fake.requests.filter((r) => r.path === '/rest/api/2/search').at(-1)!.body as {
      fields: string[];
    };
    expect(listing.fields).toEqual(['key']);
  });

  it('fails the page clearly on a malformed search response', async () => {
    fake.malformNextSearch = true;
    const error = await errorOf(sync(source(baseUrl), full));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/unexpected response to POST \/rest\/api\/2\/search \(total: /);
  });

  it('reports an issue deleted mid-run as an item failure and loads the rest', async () => {
    fake.afterSearch = () => {
      fake.issues.delete('SUP-2');
      fake.afterSearch = null;
    };
    const { docs, failures } = await sync(source(baseUrl), full);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.externalId).toBe('SUP-2');
    expect(failures[0]?.message).toMatch(/SUP-2.*deleted or moved/);
    expect(docs).toHaveLength(9);
  });

  it('waits out a 429 with Retry-After and carries on', async () => {
    fake.rateLimit = { remaining: 1, retryAfterSeconds: 1 };
    const started = Date.now();
    await source(baseUrl).validate(signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('reads Jira Cloud through REST v3: enhanced search pages and ADF bodies', async () => {
    const { docs, failures } = await sync(source(baseUrl, { apiVersion: 3 }), full);
    expect(failures).toEqual([]);
    expect(docs).toHaveLength(10);
    const markdown = docs.find((d) => d.externalId === 'SUP-1')?.content;
    expect(markdown).toMatchObject({ kind: 'markdown' });
    expect(markdown?.kind === 'markdown' && markdown.markdown).toContain('Did you update the client?');
    expect(fake.requests.some((r) => r.path === '/rest/api/3/search/jql')).toBe(true);
    expect(await listIds(source(baseUrl, { apiVersion: 3 }))).toHaveLength(10);
  });
});
