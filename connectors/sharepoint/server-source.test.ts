import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorSource } from '../../core/contract/index.js';
import { FakeHttpServer } from './fake-http.testing.js';
import { FakeSharePoint } from './fake-sharepoint.testing.js';
import { buildDocx, buildPdf, utf8 } from './fixtures.testing.js';
import sharePoint from './index.js';
import { bytesOf, fullWindow, listAll, loadPage, syncAll, testContext, windowSince } from './sync.testing.js';

let sp: FakeSharePoint;
let logs: string[];

beforeEach(async () => {
  sp = await FakeSharePoint.start();
  logs = [];
});
afterEach(() => sp.close());

const january = '2026-01-05T10:00:00Z';

function source(settings: Record<string, unknown> = {}, token = sp.token): ConnectorSource {
  const parsed = sharePoint.settingsSchema.parse({
    mode: 'server',
    siteUrl: sp.siteUrl,
    libraries: ['Documents'],
    token: { env: 'SP_TOKEN' },
    ...settings,
  });
  return sharePoint.create(parsed, testContext(token, logs));
}

const signal = () => new AbortController().signal;
const itemRequests = () => sp.http.requests.filter((r) => r.path.endsWith('/items'));
const downloads = () => sp.http.requests.filter((r) => r.path.endsWith('/$value'));

describe('SharePoint Server: settings', () => {
  it('takes the site URL without a trailing slash and needs a secret reference for the token', () => {
    const parsed = sharePoint.settingsSchema.parse({
      mode: 'server',
      siteUrl: 'https://sp.corp.local/sites/support/',
      libraries: ['Documents'],
      token: { env: 'SP_TOKEN' },
    });
    expect(parsed).toMatchObject({ siteUrl: 'https://sp.corp.local/sites/support', includeSitePages: false });
    expect(sharePoint.secretFields).toEqual(['token']);
    const plain = {
      mode: 'server',
      siteUrl: 'https://sp.corp.local',
      libraries: ['Documents'],
      token: 'abc',
    };
    expect(sharePoint.settingsSchema.safeParse(plain).success).toBe(false);
    expect(sharePoint.settingsSchema.safeParse({ ...plain, token: { env: 'T' }, mode: 'ntlm' }).success).toBe(
      false,
    );
  });
});

describe('SharePoint Server: validate', () => {
  it('passes for a reachable site, its libraries and the pages library', async () => {
    await expect(source({ includeSitePages: true }).validate(signal())).resolves.toBeUndefined();
    expect(sp.http.requests[0]?.authorization).toBe(`Bearer ${sp.token}`);
    expect(sp.http.requests[0]?.accept).toBe('application/json;odata=nometadata');
  });

  it('names a refused token unauthorized', async () => {
    await expect(source({}, 'expired').validate(signal())).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/refused the token \(HTTP 401: Invalid JWT token/) as unknown,
    });
  });

  it('names the site when access is denied', async () => {
    sp.denied = true;
    await expect(source().validate(signal())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(sp.siteUrl) as unknown,
    });
  });

  it('says when the address is not SharePoint', async () => {
    const nginx = await FakeHttpServer.start(() => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Welcome to nginx!</body></html>',
    }));
    try {
      const other = sharePoint.create(
        sharePoint.settingsSchema.parse({
          mode: 'server',
          siteUrl: `${nginx.origin}/sites/support`,
          libraries: ['Documents'],
          token: { env: 'T' },
        }),
        testContext(sp.token),
      );
      await expect(other.validate(signal())).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/does not look like a SharePoint site.*Welcome to nginx/) as unknown,
      });
    } finally {
      await nginx.close();
    }
  });

  it('says when the site or a library does not exist', async () => {
    await expect(
      source({ siteUrl: `${sp.http.origin}/sites/nope` }).validate(signal()),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/no SharePoint site at .*\/sites\/nope/) as unknown,
    });
    await expect(source({ libraries: ['Documents', 'Manuals'] }).validate(signal())).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('no library "Manuals"') as unknown,
    });
  });

  it('reports an unreachable server as unavailable', async () => {
    const closed = await FakeHttpServer.start(() => ({ status: 200 }));
    await closed.close();
    await expect(source({ siteUrl: `${closed.origin}/sites/x` }).validate(signal())).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('unreachable') as unknown,
    });
  });
});

describe('SharePoint Server: load', () => {
  it('delivers every supported file and site page over several pages, bytes intact, placed in site > library > folders', async () => {
    const docx = await buildDocx(['Install the agent', 'Then restart']);
    const pdf = buildPdf('Refunds within 30 days');
    sp.addFile('Documents', 'Guides/Setup/install.docx', docx, { modified: january });
    sp.addFile('Documents', 'refund policy.pdf', pdf, { modified: january, title: 'Refund Policy 2026' });
    sp.addFile('Documents', 'notes.md', utf8('# Notes\nhello'), { modified: january });
    sp.addFile('Documents', 'Guides/faq.txt', utf8('Q: A'), { modified: january });
    sp.addFile('Documents', 'Guides/budget.xlsx', utf8('PK..'), { modified: january });
    sp.addPage({ name: 'Home.aspx', title: 'Home', canvas: '<div><h2>Welcome</h2><p>Start here</p></div>' });
    sp.addPage({ name: 'Wiki.aspx', title: 'Old wiki', wiki: '<p>wiki text</p>' });
    sp.addPage({ name: 'Hero.aspx', title: 'Hero only' });
    sp.maxPageSize = 2;

    const run = await syncAll(source({ includeSitePages: true }), fullWindow());

    expect(run.failures).toEqual([]);
    expect(run.pages).toBeGreaterThanOrEqual(5);
    expect(run.checkpoint).toEqual({ hasMore: false, mode: 'server', cursor: null });
    const byName = new Map(run.docs.map((d) => [d.title, d]));
    expect([...byName.keys()].sort()).toEqual([
      'Home',
      'Old wiki',
      'Refund Policy 2026',
      'faq',
      'install',
      'notes',
    ]);
    const install = byName.get('install');
    expect(install).toMatchObject({
      content: { kind: 'file', fileName: 'install.docx' },
      hierarchy: ['Support', 'Documents', 'Guides', 'Setup'],
      url: `${sp.http.origin}/sites/support/Shared%20Documents/Guides/Setup/install.docx`,
      updatedAt: '2026-01-05T10:00:00Z',
    });
    expect(install?.externalId).toMatch(/^item:Documents:\d+$/);
    expect(bytesOf(install)).toEqual(docx);
    expect(bytesOf(byName.get('Refund Policy 2026'))).toEqual(pdf);
    expect(byName.get('Home')).toMatchObject({
      content: { kind: 'html', html: expect.stringContaining('<h2>Welcome</h2>') as unknown },
      hierarchy: ['Support', 'Site Pages'],
    });
    expect(logs.join('\n')).toMatch(/skipped "Guides\/budget\.xlsx": unsupported type \.xlsx/);
    expect(logs.join('\n')).toMatch(/skipped the page "Hero\.aspx"/);
    expect(itemRequests()[0]?.url.searchParams.get('$filter')).toBeNull();
    expect(itemRequests().some((r) => r.url.searchParams.get('$skiptoken')?.startsWith('Paged=TRUE'))).toBe(
      true,
    );
  });

  it('on an incremental run asks only for items modified since the window start', async () => {
    const id = sp.addFile('Documents', 'a.txt', utf8('old'), { modified: january });
    sp.addFile('Documents', 'b.txt', utf8('unchanged'), { modified: january });
    const src = source();
    const first = await syncAll(src, fullWindow());
    expect(first.docs).toHaveLength(2);

    sp.updateFile('Documents', id, utf8('new text'), '2026-03-01T08:00:00Z');
    const second = await syncAll(src, windowSince('2026-02-01T00:00:00.000Z'), first.checkpoint);

    expect(second.docs.map((d) => d.title)).toEqual(['a']);
    expect(new TextDecoder().decode(bytesOf(second.docs[0]))).toBe('new text');
    expect(itemRequests().at(-1)?.url.searchParams.get('$filter')).toBe(
      "Modified ge datetime'2026-02-01T00:00:00Z'",
    );
  });

  it('lists current ids of supported files and pages, so deleted files are pruned', async () => {
    const keep = sp.addFile('Documents', 'Guides/keep.pdf', buildPdf('x'));
    const gone = sp.addFile('Documents', 'gone.txt', utf8('bye'));
    sp.addFile('Documents', 'sheet.xlsx', utf8('PK'));
    const page = sp.addPage({ name: 'Home.aspx', title: 'Home', canvas: '<p>hi</p>' });
    sp.maxPageSize = 1;
    const src = source({ includeSitePages: true });
    expect(await listAll(src)).toEqual(
      [`item:Documents:${gone}`, `item:Documents:${keep}`, `page:${page}`].sort(),
    );

    sp.deleteFile('Documents', gone);
    expect(await listAll(src)).toEqual([`item:Documents:${keep}`, `page:${page}`]);
  });

  it('reports a file over the size limit without downloading it', async () => {
    sp.addFile('Documents', 'Manuals/huge.pdf', new Uint8Array(4096));
    sp.addFile('Documents', 'small.txt', utf8('fits'));
    const run = await syncAll(source({ maxFileBytes: 2048 }), fullWindow());
    expect(run.docs.map((d) => d.title)).toEqual(['small']);
    expect(run.failures).toEqual([
      {
        failure: true,
        externalId: expect.stringMatching(/^item:Documents:\d+$/) as unknown,
        message: '"Manuals/huge.pdf": too large (4 KB; the limit is 2 KB), skipped',
      },
    ]);
    expect(downloads().map((r) => r.url.searchParams.get('@u'))).toEqual([
      "'/sites/support/Shared Documents/small.txt'",
    ]);
  });

  it('reports a file deleted between the listing and its download, and goes on', async () => {
    const gone = sp.addFile('Documents', "it's gone.txt", utf8('soon deleted'));
    sp.addFile('Documents', 'stays.txt', utf8('here'));
    sp.http.beforeRequest = (request) => {
      if (request.path.endsWith('/$value') && request.url.searchParams.get('@u')?.includes('gone')) {
        sp.deleteFile('Documents', gone);
      }
    };
    const run = await syncAll(source(), fullWindow());
    expect(run.docs.map((d) => d.title)).toEqual(['stays']);
    expect(run.failures).toEqual([
      {
        failure: true,
        externalId: `item:Documents:${gone}`,
        message: `"it's gone.txt": deleted or moved after it was listed, skipped (the next sync sees where it went)`,
      },
    ]);
  });

  it('fails the page with a clear message on malformed JSON, then resumes from the saved checkpoint', async () => {
    sp.addFile('Documents', 'a.txt', utf8('a'));
    sp.addFile('Documents', 'b.txt', utf8('b'));
    sp.maxPageSize = 1;
    const src = source();
    const first = await loadPage(src, fullWindow(), src.initialCheckpoint());
    expect(first.checkpoint.hasMore).toBe(true);

    sp.http.override((r) => r.path.endsWith('/items'), {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"value":[{"Id":2,"FileRef":',
    });
    await expect(loadPage(src, fullWindow(), first.checkpoint)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(
        /listing the library "Documents": the body is not valid JSON/,
      ) as unknown,
    });
    const again = await loadPage(src, fullWindow(), first.checkpoint);
    expect(again.items).toMatchObject([{ title: 'b' }]);
  });

  it('reports throttling with the wait SharePoint asks for, and a refused token, as errors of the page', async () => {
    sp.addFile('Documents', 'a.txt', utf8('a'));
    sp.http.override(
      (r) => r.path.endsWith('/items'),
      (request) => ({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '30' },
        body: JSON.stringify({
          'odata.error': { code: '-2147024860', message: { value: `throttled ${request.path}` } },
        }),
      }),
    );
    const src = source();
    await expect(loadPage(src, fullWindow(), src.initialCheckpoint())).rejects.toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('retry after 30 s') as unknown,
    });
    const refused = source({}, 'wrong');
    await expect(loadPage(refused, fullWindow(), refused.initialCheckpoint())).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('passes cancellation through as the abort, not as a failure of the file', async () => {
    sp.addFile('Documents', 'a.txt', utf8('a'));
    const controller = new AbortController();
    sp.http.beforeRequest = (request) => {
      if (request.path.endsWith('/$value')) controller.abort();
    };
    const src = source();
    const run = async () => {
      for await (const item of src.load(fullWindow(), src.initialCheckpoint(), controller.signal)) void item;
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reads the verbose form of servers without JSON light', async () => {
    sp.verbose = true;
    sp.maxPageSize = 1;
    sp.addFile('Documents', 'Guides/a.txt', utf8('a'));
    sp.addFile('Documents', 'b.md', utf8('# b'));
    const run = await syncAll(source(), fullWindow());
    expect(run.docs.map((d) => [d.title, d.hierarchy])).toEqual([
      ['a', ['Support', 'Documents', 'Guides']],
      ['b', ['Support', 'Documents']],
    ]);
  });

  it('reads wiki pages only on servers without modern pages', async () => {
    sp.classicPages = true;
    sp.addPage({ name: 'Wiki.aspx', title: 'Wiki', wiki: '<p>old school</p>' });
    const run = await syncAll(source({ includeSitePages: true }), fullWindow());
    expect(run.docs).toMatchObject([{ title: 'Wiki', content: { kind: 'html' } }]);
    expect(logs.join('\n')).toContain('no modern pages');
  });

  it('starts over when the saved checkpoint is not a server checkpoint', async () => {
    sp.addFile('Documents', 'a.txt', utf8('a'));
    const stale = { hasMore: true, mode: 'graph', cursor: null, deltaLinks: {} };
    const run = await syncAll(source(), fullWindow(), stale);
    expect(run.docs).toHaveLength(1);
    expect(logs.join('\n')).toContain('starting a full sync');
  });
});
