import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint, ConnectorSource } from '../../core/contract/index.js';
import { graphCheckpointSchema } from './checkpoint.js';
import { FakeHttpServer } from './fake-http.testing.js';
import { FakeGraph } from './fake-sharepoint.testing.js';
import { buildDocx, buildPdf, utf8 } from './fixtures.testing.js';
import sharePoint from './index.js';
import { bytesOf, fullWindow, listAll, loadPage, syncAll, testContext, windowSince } from './sync.testing.js';

let graph: FakeGraph;
let logs: string[];

beforeEach(async () => {
  graph = await FakeGraph.start();
  logs = [];
});
afterEach(() => graph.close());

const january = '2026-01-05T10:00:00Z';

function source(settings: Record<string, unknown> = {}, token = graph.token): ConnectorSource {
  const parsed = sharePoint.settingsSchema.parse({
    mode: 'graph',
    graphBaseUrl: graph.baseUrl,
    siteId: graph.siteId,
    token: { secretRef: 'tenant-a/sharepoint' },
    ...settings,
  });
  return sharePoint.create(parsed, testContext(token, logs));
}

const signal = () => new AbortController().signal;
const deltaLinksOf = (checkpoint: Checkpoint) => graphCheckpointSchema.parse(checkpoint).deltaLinks;
const deltaRequests = () => graph.http.requests.filter((r) => r.path.endsWith('/root/delta'));

describe('Microsoft Graph: settings', () => {
  it('defaults graphBaseUrl to the global cloud and takes another (national cloud, proxy)', () => {
    const base = { mode: 'graph', siteId: 'x', token: { env: 'T' } };
    expect(sharePoint.settingsSchema.parse(base)).toMatchObject({
      graphBaseUrl: 'https://graph.microsoft.com',
    });
    expect(
      sharePoint.settingsSchema.parse({ ...base, graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn/' }),
    ).toMatchObject({ graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn' });
  });
});

describe('Microsoft Graph: validate', () => {
  it('passes for a readable site and its drives', async () => {
    const drive = graph.addDrive('Documents');
    await expect(source({ driveIds: [drive] }).validate(signal())).resolves.toBeUndefined();
    expect(graph.http.requests.map((r) => r.path)).toEqual([
      `/v1.0/sites/${graph.siteId}`,
      `/v1.0/drives/${drive}`,
    ]);
  });

  it('maps a refused token, a denied site, an unknown site and an unknown drive', async () => {
    await expect(source({}, 'expired').validate(signal())).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('Lifetime validation failed') as unknown,
    });
    await expect(source({ siteId: 'contoso.sharepoint.com,nope' }).validate(signal())).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('no SharePoint site "contoso.sharepoint.com,nope"') as unknown,
    });
    await expect(source({ driveIds: ['b!missing'] }).validate(signal())).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('"b!missing"') as unknown,
    });
    graph.denied = true;
    await expect(source().validate(signal())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(graph.siteId) as unknown,
    });
  });

  it('says when graphBaseUrl is not Microsoft Graph', async () => {
    const portal = await FakeHttpServer.start(() => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>Sign in to the corporate portal</html>',
    }));
    try {
      await expect(source({ graphBaseUrl: portal.origin }).validate(signal())).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/does not look like Microsoft Graph.*corporate portal/) as unknown,
      });
    } finally {
      await portal.close();
    }
  });
});

describe('Microsoft Graph: load', () => {
  it('reads every drive in full on the first run, in pages, and keeps each drive’s delta link', async () => {
    const docs = graph.addDrive('Documents');
    const policies = graph.addDrive('Policies');
    const docx = await buildDocx(['Install the agent']);
    const pdf = buildPdf('Refunds within 30 days');
    graph.addFile(docs, 'Guides/Setup/install.docx', docx, january);
    graph.addFile(docs, 'Guides/Setup/upgrade.md', utf8('# Upgrade'), january);
    graph.addFile(docs, 'Guides/photo.png', utf8('png'), january);
    graph.addFile(policies, 'refunds.pdf', pdf, january);
    graph.addPage({
      name: 'Home.aspx',
      title: 'Home',
      html: '<h2>Welcome</h2><p>Start</p>',
      modified: january,
    });
    graph.maxPageSize = 2;

    const run = await syncAll(source({ includeSitePages: true }), fullWindow());

    expect(run.failures).toEqual([]);
    const byTitle = new Map(run.docs.map((d) => [d.title, d]));
    expect([...byTitle.keys()].sort()).toEqual(['Home', 'install', 'refunds', 'upgrade']);
    const install = byTitle.get('install');
    expect(install).toMatchObject({
      content: { kind: 'file', fileName: 'install.docx' },
      hierarchy: ['Support', 'Documents', 'Guides', 'Setup'],
      url: 'https://contoso.sharepoint.com/sites/support/Documents/Guides/Setup/install.docx',
      updatedAt: january,
    });
    expect(install?.externalId).toMatch(new RegExp(`^item:${docs.replace('!', '\\!')}:I\\d+$`));
    expect(bytesOf(install)).toEqual(docx);
    expect(bytesOf(byTitle.get('refunds'))).toEqual(pdf);
    expect(byTitle.get('refunds')?.hierarchy).toEqual(['Support', 'Policies']);
    expect(byTitle.get('Home')).toMatchObject({
      externalId: expect.stringMatching(/^page:/) as unknown,
      content: { kind: 'html', html: expect.stringContaining('<h2>Welcome</h2>') as unknown },
    });
    expect(logs.join('\n')).toContain('skipped "Documents/…/photo.png": unsupported type .png');

    expect(run.checkpoint).toMatchObject({ hasMore: false, mode: 'graph', cursor: null });
    expect(Object.keys(deltaLinksOf(run.checkpoint)).sort()).toEqual([docs, policies].sort());
    expect(deltaRequests().length).toBeGreaterThan(2);
    // The download went to the pre-authenticated URL without the token; one folder lookup per folder.
    const fileDownloads = graph.http.requests.filter((r) => r.path.startsWith('/download/'));
    expect(fileDownloads).toHaveLength(3);
    expect(fileDownloads.every((r) => r.authorization === undefined)).toBe(true);
    expect(graph.http.requests.filter((r) => /\/items\/F\d+$/.test(r.path))).toHaveLength(1);
  });

  it('on later runs reads only the changes since the saved delta link; deleted files drop out of listIds', async () => {
    const drive = graph.addDrive('Documents');
    const edited = graph.addFile(drive, 'a.txt', utf8('old'), january);
    const deleted = graph.addFile(drive, 'b.txt', utf8('bye'), january);
    const untouched = graph.addFile(drive, 'c.txt', utf8('same'), january);
    const src = source();
    const first = await syncAll(src, fullWindow());
    expect(first.docs).toHaveLength(3);
    expect(await listAll(src)).toEqual(
      [edited, deleted, untouched].map((id) => `item:${drive}:${id}`).sort(),
    );

    graph.updateFile(drive, edited, utf8('new'));
    graph.deleteFile(drive, deleted);
    const added = graph.addFile(drive, 'Later/d.md', utf8('# d'));
    const second = await syncAll(src, windowSince('2026-02-01T00:00:00Z'), first.checkpoint);

    expect(second.docs.map((d) => d.title).sort()).toEqual(['a', 'd']);
    expect(new TextDecoder().decode(bytesOf(second.docs.find((d) => d.title === 'a')))).toBe('new');
    expect(deltaRequests().at(-1)?.url.searchParams.get('token')).not.toBeNull();
    expect(logs.join('\n')).toContain('1 item(s) deleted in "Documents"; they are pruned by the id listing');
    expect(await listAll(src)).toEqual([edited, untouched, added].map((id) => `item:${drive}:${id}`).sort());

    const nothing = await syncAll(src, windowSince('2026-02-02T00:00:00Z'), second.checkpoint);
    expect(nothing.docs).toEqual([]);
  });

  it('a full sync ignores the saved delta links', async () => {
    const drive = graph.addDrive('Documents');
    graph.addFile(drive, 'a.txt', utf8('a'), january);
    const src = source();
    const first = await syncAll(src, fullWindow());
    const again = await syncAll(src, fullWindow(), first.checkpoint);
    expect(again.docs.map((d) => d.title)).toEqual(['a']);
    expect(deltaRequests().at(-1)?.url.searchParams.get('token')).toBeNull();
  });

  it('reads a drive in full again when its saved token expired (410 resyncRequired)', async () => {
    const drive = graph.addDrive('Documents');
    graph.addFile(drive, 'a.txt', utf8('a'), january);
    const src = source();
    const first = await syncAll(src, fullWindow());
    graph.expiredBefore = graph.currentSeq + 1;

    const second = await syncAll(src, windowSince('2026-02-01T00:00:00Z'), first.checkpoint);
    expect(second.docs.map((d) => d.title)).toEqual(['a']);
    expect(logs.join('\n')).toContain('expired; reading the drive in full');
    const links = deltaLinksOf(second.checkpoint);
    expect(links[drive]).toContain(`token=${graph.currentSeq}`);
  });

  it('reports too large, vanished and skips unsupported files while the rest syncs', async () => {
    const drive = graph.addDrive('Documents');
    graph.addFile(drive, 'big.pdf', new Uint8Array(5000));
    const gone = graph.addFile(drive, 'Old/gone.docx', await buildDocx(['x']));
    graph.addFile(drive, 'movie.mp4', new Uint8Array(10));
    graph.addFile(drive, 'ok.txt', utf8('ok'));
    graph.http.beforeRequest = (request) => {
      if (request.path.endsWith(`/items/${gone}/content`)) graph.deleteFile(drive, gone);
    };
    const run = await syncAll(source({ maxFileBytes: 4096 }), fullWindow());
    expect(run.docs.map((d) => d.title)).toEqual(['ok']);
    expect(run.failures.map((f) => f.message)).toEqual([
      '"big.pdf": too large (4.9 KB; the limit is 4 KB), skipped',
      '"Old/gone.docx": deleted or moved after it was listed, skipped (the next sync sees where it went)',
    ]);
    expect(run.failures[1]?.externalId).toBe(`item:${drive}:${gone}`);
    expect(graph.http.requests.some((r) => r.path.includes('big.pdf'))).toBe(false);
    expect(logs.join('\n')).toContain('skipped "Documents/…/movie.mp4": unsupported type .mp4');
  });

  it('fails the page clearly on malformed JSON and on throttling', async () => {
    const drive = graph.addDrive('Documents');
    graph.addFile(drive, 'a.txt', utf8('a'));
    const src = source({ driveIds: [drive] });
    graph.http.override((r) => r.path.endsWith('/root/delta'), {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"value":[{"id":"I1",',
    });
    await expect(loadPage(src, fullWindow(), src.initialCheckpoint())).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(
        /Microsoft Graph at .* sent an unexpected response for reading changes of the drive .*not valid JSON/,
      ) as unknown,
    });
    graph.http.override((r) => r.path.endsWith('/root/delta'), {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '12' },
      body: JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests' } }),
    });
    await expect(loadPage(src, fullWindow(), src.initialCheckpoint())).rejects.toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('asks to retry after 12 s') as unknown,
    });
    const run = await syncAll(src, fullWindow());
    expect(run.docs).toHaveLength(1);
  });

  it('follows paging links that name graph.microsoft.com through a proxy base URL', async () => {
    await graph.close();
    graph = await FakeGraph.start('/graph-proxy');
    graph.linkBase = 'https://graph.microsoft.com';
    graph.maxPageSize = 1;
    const drive = graph.addDrive('Documents');
    graph.addFile(drive, 'a.txt', utf8('a'), january);
    graph.addFile(drive, 'b.txt', utf8('b'), january);
    graph.addPage({ name: 'P1.aspx', title: 'P1', html: '<p>one</p>', modified: january });
    graph.addPage({ name: 'P2.aspx', title: 'P2', html: '<p>two</p>', modified: '2026-03-01T00:00:00Z' });
    const src = source({ graphBaseUrl: `${graph.baseUrl}/`, includeSitePages: true });

    const first = await syncAll(src, fullWindow());
    expect(first.docs.map((d) => d.title).sort()).toEqual(['P1', 'P2', 'a', 'b']);
    const links = deltaLinksOf(first.checkpoint);
    expect(links[drive]).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\//);
    expect(graph.http.requests.every((r) => r.path.startsWith('/graph-proxy/'))).toBe(true);

    const second = await syncAll(src, windowSince('2026-02-01T00:00:00Z'), first.checkpoint);
    expect(second.docs.map((d) => d.title)).toEqual(['P2']);
    expect(await listAll(src)).toHaveLength(4);
  });
});
