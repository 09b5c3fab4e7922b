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
import notionConnector, { type NotionSettings } from './index.js';
import { FakeNotion, rt, workspace } from './fake-notion.testing.js';

const signal = new AbortController().signal;
const token = 'secret_abc';
const full: SyncWindow = { start: null, end: '2030-01-01T00:00:00Z' };
const t0 = new Date('2024-03-01T08:00:00Z');
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);

function source(baseUrl: string, overrides: Partial<NotionSettings> = {}, secret = token): ConnectorSource {
  const settings = notionConnector.settingsSchema.parse({
    baseUrl,
    token: { env: 'NOTION_TOKEN' },
    pageSize: 2,
    ...overrides,
  });
  return notionConnector.create(settings, { secrets: { token: secret }, fetch: globalThis.fetch });
}

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

function markdownOf(doc: SourceDocument | undefined): string {
  return doc?.content.kind === 'markdown' ? doc.content.markdown : '';
}

describe('Notion connector', () => {
  let fake: FakeNotion;
  let baseUrl: string;

  beforeEach(async () => {
    fake = new FakeNotion(token);
    baseUrl = await fake.start();
    fake.addPage({
      id: 'p-handbook',
      title: 'Support handbook',
      parent: workspace,
      lastEdited: minutes(1),
      blocks: [
        { id: 'b1', type: 'heading_1', data: { rich_text: rt('VPN') } },
        {
          id: 'b2',
          type: 'paragraph',
          data: { rich_text: [...rt('Reset the '), ...rt('client', { bold: true })] },
        },
        {
          id: 'b3',
          type: 'bulleted_list_item',
          data: { rich_text: rt('Windows') },
          children: [
            { id: 'b3a', type: 'bulleted_list_item', data: { rich_text: rt('Open settings') } },
            { id: 'b3b', type: 'to_do', data: { rich_text: rt('Click reset'), checked: true } },
          ],
        },
        { id: 'b4', type: 'numbered_list_item', data: { rich_text: rt('Reboot') } },
        { id: 'b5', type: 'code', data: { rich_text: rt('vpn --reset'), language: 'bash' } },
        {
          id: 'b6',
          type: 'toggle',
          data: { rich_text: rt('Still broken?') },
          children: [
            { id: 'b6a', type: 'heading_3', data: { rich_text: rt('Escalate') } },
            { id: 'b6b', type: 'paragraph', data: { rich_text: rt('Call the network team.') } },
          ],
        },
        { id: 'b7', type: 'quote', data: { rich_text: rt('Never share your token') } },
        {
          id: 'b8',
          type: 'callout',
          data: { rich_text: rt('Hours: 9-5'), icon: { type: 'emoji', emoji: '💡' } },
        },
        {
          id: 'b9',
          type: 'table',
          data: { table_width: 2, has_column_header: true },
          children: [
            { id: 'r1', type: 'table_row', data: { cells: [rt('OS'), rt('Client')] } },
            { id: 'r2', type: 'table_row', data: { cells: [rt('Linux'), rt('5.2')] } },
          ],
        },
        { id: 'b10', type: 'child_page', data: { title: 'Printers' } },
      ],
    });
    fake.addPage({
      id: 'p-printers',
      title: 'Printers',
      parent: { type: 'page_id', page_id: 'p-handbook' },
      lastEdited: minutes(2),
      blocks: [{ id: 'c1', type: 'paragraph', data: { rich_text: rt('Check the toner.') } }],
    });
    fake.databases.set('db-faq', {
      id: 'db-faq',
      title: 'FAQ',
      parent: { type: 'page_id', page_id: 'p-handbook' },
      dataSourceId: 'ds-faq',
    });
    fake.addPage({
      id: 'p-faq-1',
      title: 'How do I reset my password?',
      parent: { type: 'data_source_id', data_source_id: 'ds-faq', database_id: 'db-faq' },
      lastEdited: minutes(3),
      properties: { Category: { id: 'x', type: 'select', select: { name: 'Accounts' } } },
      blocks: [{ id: 'f1', type: 'paragraph', data: { rich_text: rt('Use the self-service portal.') } }],
    });
    for (let i = 1; i <= 3; i++)
      fake.addPage({
        id: `p-other-${i}`,
        title: `Other ${i}`,
        parent: workspace,
        lastEdited: minutes(3 + i),
        blocks: [{ id: `o${i}`, type: 'paragraph', data: { rich_text: rt(`Other text ${i}`) } }],
      });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('validates a good token, sending Notion-Version', async () => {
    await source(baseUrl).validate(signal);
    expect(fake.requests[0]?.path).toBe('/v1/users/me');
    expect(fake.requests[0]?.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('says a bad token is unauthorized', async () => {
    const error = await errorOf(source(baseUrl, {}, 'secret_wrong').validate(signal));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/token/);
  });

  it('says a root page the integration cannot see is invalid input', async () => {
    const error = await errorOf(source(baseUrl, { rootPageIds: ['p-missing'] }).validate(signal));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/root page p-missing.*share/);
    await source(baseUrl, { rootPageIds: ['p-handbook'], databaseIds: ['db-faq'] }).validate(signal);
  });

  it('says a URL that is not the Notion API is invalid input', async () => {
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>Welcome to nginx!</html>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const error = await errorOf(source(url).validate(signal));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(/does not look like the Notion API/);
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

  it('loads every shared page over several search pages, child pages as their own documents', async () => {
    const { docs, failures, pages } = await sync(source(baseUrl), full);
    expect(failures).toEqual([]);
    expect(pages).toBe(3);
    expect(docs.map((d) => d.externalId).sort()).toEqual(
      ['p-faq-1', 'p-handbook', 'p-other-1', 'p-other-2', 'p-other-3', 'p-printers'].sort(),
    );
    const printers = docs.find((d) => d.externalId === 'p-printers');
    expect(printers?.hierarchy).toEqual(['Support handbook']);
    expect(markdownOf(printers)).toBe('# Printers\n\nCheck the toner.\n');
    const faq = docs.find((d) => d.externalId === 'p-faq-1');
    expect(faq?.hierarchy).toEqual(['Support handbook', 'FAQ']);
    expect(markdownOf(faq)).toContain('**Category:** Accounts');
    expect(faq?.updatedAt).toBe(minutes(3).toISOString());
    expect(faq?.url).toMatch(/^https:\/\/www\.notion\.so\//);
  });

  it('renders nested blocks as Markdown with headings, lists, code, quotes, callouts and tables', async () => {
    const { docs } = await sync(source(baseUrl), full);
    const markdown = markdownOf(docs.find((d) => d.externalId === 'p-handbook'));
    expect(markdown).toBe(
      [
        '# Support handbook',
        '',
        '# VPN',
        '',
        'Reset the **client**',
        '',
        '- Windows',
        '  - Open settings',
        '  - [x] Click reset',
        '1. Reboot',
        '',
        '```bash',
        'vpn --reset',
        '```',
        '',
        '- Still broken?',
        '  ### Escalate',
        '',
        '  Call the network team.',
        '',
        '> Never share your token',
        '',
        '> 💡 Hours: 9-5',
        '',
        '| OS | Client |',
        '| --- | --- |',
        '| Linux | 5.2 |',
        '',
        'Sub-page: Printers',
        '',
      ].join('\n'),
    );
  });

  it('loads only pages edited since the window start and stops searching there', async () => {
    await sync(source(baseUrl), full);
    const edited = fake.pages.get('p-printers')!;
    edited.lastEdited = new Date('2024-06-01T12:05:00Z');
    edited.blocks = [{ id: 'c2', type: 'paragraph', data: { rich_text: rt('Replace the drum.') } }];
    const before = fake.requests.filter((r) => r.path === '/v1/search').length;
    const { docs, pages } = await sync(source(baseUrl), {
      start: '2024-06-01T12:00:00Z',
      end: '2024-06-01T13:00:00Z',
    });
    expect(docs.map((d) => d.externalId)).toEqual(['p-printers']);
    expect(markdownOf(docs[0])).toContain('Replace the drum.');
    expect(pages).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/v1/search').length - before).toBe(1);
  });

  it('keeps to the given root pages and databases', async () => {
    const underRoot = await sync(source(baseUrl, { rootPageIds: ['p-handbook'] }), full);
    expect(underRoot.docs.map((d) => d.externalId).sort()).toEqual(['p-faq-1', 'p-handbook', 'p-printers']);
    const inDatabase = await sync(source(baseUrl, { databaseIds: ['db-faq'] }), full);
    expect(inDatabase.docs.map((d) => d.externalId)).toEqual(['p-faq-1']);
    expect(await listIds(source(baseUrl, { databaseIds: ['dbfaq'.replace('dbfaq', 'db-faq')] }))).toEqual([
      'p-faq-1',
    ]);
  });

  it('lists current page ids so deleted pages are pruned', async () => {
    expect(await listIds(source(baseUrl))).toHaveLength(6);
    fake.pages.delete('p-other-2');
    const ids = await listIds(source(baseUrl));
    expect(ids).toHaveLength(5);
    expect(ids).not.toContain('p-other-2');
  });

  it('fails the page clearly on a malformed search response', async () => {
    fake.malformNextSearch = true;
    const error = await errorOf(sync(source(baseUrl), full));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/unexpected response to POST \/v1\/search \(results: /);
  });

  it('reports a page deleted mid-run as an item failure and loads the rest', async () => {
    fake.afterSearch = () => {
      fake.pages.delete('p-other-3');
      fake.afterSearch = null;
    };
    const { docs, failures } = await sync(source(baseUrl), full);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.externalId).toBe('p-other-3');
    expect(failures[0]?.message).toMatch(/deleted or unshared/);
    expect(docs).toHaveLength(5);
  });

  it('waits out a 429 with Retry-After and carries on', async () => {
    fake.rateLimit = { remaining: 1, retryAfterSeconds: 1 };
    const started = Date.now();
    await source(baseUrl).validate(signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.requests.filter((r) => r.path === '/v1/users/me')).toHaveLength(2);
  });
});
