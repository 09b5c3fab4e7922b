import { afterEach, describe, expect, it } from 'vitest';
import type { SourceDocument } from '../../core/contract/index.js';
import { AppError } from '../../core/contract/index.js';
import { confluenceCheckpointSchema } from './checkpoint.js';
import type { FakeConfluence } from './fake-confluence.testing.js';
import { startFakeConfluence } from './fake-confluence.testing.js';
import { collect, isFailure, loadOnce, loadWindow, sourceFor } from './testing-helpers.testing.js';

const signal = new AbortController().signal;
let wiki: FakeConfluence | null = null;
afterEach(async () => {
  await wiki?.close();
  wiki = null;
});

async function fake(options: Parameters<typeof startFakeConfluence>[0] = {}): Promise<FakeConfluence> {
  wiki = await startFakeConfluence(options);
  return wiki;
}

const fullWindow = () => ({ start: null, end: new Date().toISOString() });
const documents = (items: Awaited<ReturnType<typeof loadWindow>>['items']): SourceDocument[] =>
  items.filter((item): item is SourceDocument => !isFailure(item));

describe('Confluence load', () => {
  it('loads every page of the spaces over several pages, with checkpoints that survive a restart', async () => {
    const wiki = await fake({ pages: 23, spaces: ['DOCS', 'SUP', 'OTHER'] });
    const { items, checkpoints } = await loadWindow(sourceFor(wiki), fullWindow());
    const expected = [...wiki.pages.values()].filter((p) => p.spaceKey !== 'OTHER').map((p) => p.id);
    expect(items.filter(isFailure)).toEqual([]);
    expect(new Set(items.map((d) => (d as SourceDocument).externalId))).toEqual(new Set(expected));
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    for (const checkpoint of checkpoints)
      expect(confluenceCheckpointSchema.safeParse(checkpoint).success).toBe(true);
    expect(checkpoints.at(-1)?.hasMore).toBe(false);

    // A new process resumes from the second saved checkpoint and yields the rest, nothing before it.
    const resumed = [];
    let checkpoint = checkpoints[1];
    while (checkpoint?.hasMore) {
      const result = await loadOnce(sourceFor(wiki), fullWindow(), checkpoint);
      resumed.push(...result.items);
      checkpoint = result.checkpoint;
    }
    const firstTwo = items.slice(0, 10).map((d) => (d as SourceDocument).externalId);
    const rest = documents(resumed).map((d) => d.externalId);
    expect(rest.some((id) => firstTwo.includes(id))).toBe(false);
    expect(new Set([...firstTwo, ...rest])).toEqual(new Set(expected));
  });

  it('yields the document shape: html body, url, ISO time, hierarchy, metadata', async () => {
    const wiki = await fake({ contextPath: '/wiki', timeZoneOffsetMinutes: -300 });
    const parent = wiki.addPage({ spaceKey: 'DOCS', title: 'Support handbook' });
    const child = wiki.addPage({
      spaceKey: 'DOCS',
      title: 'Refunds',
      parentId: parent.id,
      body: '<h2>When</h2><p>Within 30 days.</p><ac:structured-macro ac:name="note"><ac:parameter ac:name="icon">false</ac:parameter><ac:rich-text-body><p>Ask a lead.</p></ac:rich-text-body></ac:structured-macro>',
    });
    const { items } = await loadWindow(sourceFor(wiki), fullWindow());
    const document = documents(items).find((d) => d.externalId === child.id);
    expect(document).toEqual({
      externalId: child.id,
      title: 'Refunds',
      content: {
        kind: 'html',
        html: '<h2>When</h2><p>Within 30 days.</p><div><div><p>Ask a lead.</p></div></div>',
      },
      url: `${wiki.url}/pages/viewpage.action?pageId=${child.id}`,
      updatedAt: new Date(child.modifiedAt).toISOString(),
      hierarchy: ['DOCS knowledge base', 'Support handbook'],
      permissions: { public: false, principals: [] },
      metadata: { space: 'DOCS', version: 1 },
    });
  });

  it('loads only the edited page in an incremental window, though the server clock is behind and in another zone', async () => {
    const wiki = await fake({ pages: 30, clockSkewMs: -5 * 60_000, timeZoneOffsetMinutes: 330 });
    for (let i = 0; i < 4; i++)
      wiki.addPage({ spaceKey: 'SUP', title: `Recent ${i}`, modifiedAt: wiki.now() - 3_600_000 });
    await loadWindow(sourceFor(wiki), fullWindow());
    const windowStart = new Date().toISOString();
    const edited = [...wiki.pages.values()][7];
    if (!edited) throw new Error('no page');
    wiki.editPage(edited.id, { title: 'Edited title' });
    const { items } = await loadWindow(sourceFor(wiki), {
      start: windowStart,
      end: new Date().toISOString(),
    });
    expect(items.map((d) => (d as SourceDocument).title)).toEqual(['Edited title']);
    const fetched = wiki.requests.filter((r) => /^\/rest\/api\/content\/\d+$/.test(r.path)).slice(-1);
    expect(fetched.map((r) => r.path)).toEqual([`/rest/api/content/${edited.id}`]);
  });

  it('does not skip pages that shift when an already loaded page is edited mid-window', async () => {
    const wiki = await fake({ pages: 40 });
    const order = [...wiki.pages.values()].sort((a, b) => a.modifiedAt - b.modifiedAt);
    const { items } = await loadWindow(sourceFor(wiki), fullWindow(), (page) => {
      // After each page, edit two pages that were already loaded: everything after them moves forward.
      if (page < 3) for (const moved of order.slice(page * 5, page * 5 + 2)) wiki?.editPage(moved.id);
    });
    const ids = new Set(documents(items).map((d) => d.externalId));
    expect(ids).toEqual(new Set(wiki.pages.keys()));
  });

  it('turns view restrictions into principals, inherited from ancestors', async () => {
    const wiki = await fake();
    const open = wiki.addPage({ spaceKey: 'DOCS', title: 'Open' });
    const leads = wiki.addPage({
      spaceKey: 'DOCS',
      title: 'Leads only',
      readGroups: ['support-leads'],
      readUsers: ['alice'],
    });
    const inherited = wiki.addPage({ spaceKey: 'DOCS', title: 'Inherited', parentId: leads.id });
    const narrowed = wiki.addPage({
      spaceKey: 'DOCS',
      title: 'Narrowed',
      parentId: leads.id,
      readUsers: ['alice', 'bob'],
    });
    const disjoint = wiki.addPage({
      spaceKey: 'DOCS',
      title: 'Disjoint',
      parentId: leads.id,
      readGroups: ['finance'],
    });
    const { items } = await loadWindow(sourceFor(wiki), fullWindow());
    const byId = new Map(documents(items).map((d) => [d.externalId, d.permissions]));
    expect(byId.get(open.id)).toEqual({ public: false, principals: [] });
    expect(byId.get(leads.id)).toEqual({ public: false, principals: ['group:support-leads', 'user:alice'] });
    expect(byId.get(inherited.id)).toEqual({
      public: false,
      principals: ['group:support-leads', 'user:alice'],
    });
    expect(byId.get(narrowed.id)).toEqual({ public: false, principals: ['user:alice'] });
    expect(items.filter(isFailure)).toEqual([
      {
        failure: true,
        externalId: disjoint.id,
        message: expect.stringMatching(/no user or group in common/) as string,
      },
    ]);

    wiki.setRestrictions(open.id, { groups: ['confluence-users'] });
    wiki.editPage(open.id);
    const again = await loadWindow(sourceFor(wiki), fullWindow());
    expect(documents(again.items).find((d) => d.externalId === open.id)?.permissions).toEqual({
      public: false,
      principals: ['group:confluence-users'],
    });
  });

  it('lists current page ids, without a deleted page', async () => {
    const wiki = await fake({ pages: 450, spaces: ['DOCS', 'SUP', 'OTHER'] });
    const source = sourceFor(wiki);
    const before = await collect(source.listIds!(signal));
    expect(before.length).toBe([...wiki.pages.values()].filter((p) => p.spaceKey !== 'OTHER').length);
    const gone = before[123] ?? '';
    wiki.deletePage(gone);
    const after = await collect(source.listIds!(signal));
    expect(after).not.toContain(gone);
    expect(after.length).toBe(before.length - 1);
  });

  it('reports a page deleted between the search and its fetch as an item failure and goes on', async () => {
    const wiki = await fake({ pages: 5 });
    const victim = [...wiki.pages.values()][2]?.id ?? '';
    wiki.onRequest = (request) => {
      // The search has answered; the first page fetch arrives: the page is gone now.
      if (/^\/rest\/api\/content\/\d+$/.test(request.path)) wiki?.deletePage(victim);
    };
    const { items } = await loadOnce(sourceFor(wiki), fullWindow(), sourceFor(wiki).initialCheckpoint());
    expect(items.filter(isFailure)).toEqual([
      {
        failure: true,
        externalId: victim,
        message: expect.stringMatching(
          /deleted or moved between the search and its fetch \(HTTP 404\)/,
        ) as string,
      },
    ]);
    expect(documents(items)).toHaveLength(4);
  });

  it('fails one page on a malformed page body, and the load on a malformed search answer', async () => {
    const wiki = await fake({ pages: 5 });
    const broken = [...wiki.pages.values()].sort((a, b) => a.modifiedAt - b.modifiedAt)[1]?.id ?? '';
    wiki.failNext(`/rest/api/content/${broken}`, { status: 200, raw: '{"id": "1", "title": ' });
    const { items } = await loadOnce(sourceFor(wiki), fullWindow(), sourceFor(wiki).initialCheckpoint());
    expect(items.filter(isFailure)).toEqual([
      {
        failure: true,
        externalId: broken,
        message: expect.stringMatching(/the body is not valid JSON/) as string,
      },
    ]);
    expect(documents(items)).toHaveLength(4);

    wiki.failNext('/rest/api/content/search', { status: 200, raw: '<html>proxy error</html>' });
    const error = await loadOnce(sourceFor(wiki), fullWindow(), sourceFor(wiki).initialCheckpoint()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/searching Confluence pages: the body is not valid JSON/) as string,
    });
  });

  it("surfaces 429 with Retry-After as rate_limited, for the runner's retrying fetch to handle", async () => {
    const wiki = await fake({ pages: 3 });
    wiki.failNext('/rest/api/content/search', {
      status: 429,
      headers: { 'Retry-After': '7' },
      body: { statusCode: 429, message: 'Rate limit exceeded' },
    });
    const error = await loadOnce(sourceFor(wiki), fullWindow(), sourceFor(wiki).initialCheckpoint()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'rate_limited', cause: { status: 429, retryAfterSeconds: 7 } });
    expect((error as AppError).message).toMatch(/retry after 7 s/);

    // The runner's layer: a fetch that waits and retries on 429; the connector itself never retries.
    wiki.failNext('/rest/api/content/search', {
      status: 429,
      headers: { 'Retry-After': '0' },
      body: { statusCode: 429, message: 'slow down' },
    });
    const retrying: typeof fetch = async (input, init) => {
      const first = await fetch(input, init);
      return first.status === 429 ? fetch(input, init) : first;
    };
    const { items } = await loadOnce(
      sourceFor(wiki, {}, retrying),
      fullWindow(),
      sourceFor(wiki).initialCheckpoint(),
    );
    expect(documents(items)).toHaveLength(3);
  });

  it('stops with unauthorized when the token expires mid-sync', async () => {
    const wiki = await fake({ pages: 12 });
    const source = sourceFor(wiki);
    const first = await loadOnce(source, fullWindow(), source.initialCheckpoint());
    wiki.expireToken();
    await expect(loadOnce(source, fullWindow(), first.checkpoint)).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('includes archived pages only when asked', async () => {
    const wiki = await fake();
    wiki.addPage({ spaceKey: 'DOCS', title: 'Current' });
    const archived = wiki.addPage({ spaceKey: 'DOCS', title: 'Old', status: 'archived' });
    const without = await loadWindow(sourceFor(wiki), fullWindow());
    expect(documents(without.items).map((d) => d.title)).toEqual(['Current']);
    const withArchived = await loadWindow(sourceFor(wiki, { includeArchived: true }), fullWindow());
    expect(documents(withArchived.items).find((d) => d.externalId === archived.id)?.metadata).toEqual({
      space: 'DOCS',
      version: 1,
      archived: true,
    });
    expect(await collect(sourceFor(wiki, { includeArchived: true }).listIds!(signal))).toContain(archived.id);
  });
});
