import { afterEach, describe, expect, it } from 'vitest';
import type { FakeConfluence } from './fake-confluence.testing.js';
import { startFakeConfluence } from './fake-confluence.testing.js';
import { collect, loadOnce, sourceFor } from './testing-helpers.testing.js';

let wiki: FakeConfluence | null = null;
afterEach(async () => {
  await wiki?.close();
  wiki = null;
});

describe('fake Confluence', () => {
  it('generates 10,000 realistic pages quickly and serves them', async () => {
    const started = performance.now();
    wiki = await startFakeConfluence({ pages: 10_000 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(wiki.pages.size).toBe(10_000);
    const source = sourceFor(wiki, { pageLimit: 100 });
    expect(await collect(source.listIds!(new AbortController().signal))).toHaveLength(10_000);
    const { items } = await loadOnce(
      source,
      { start: null, end: new Date().toISOString() },
      source.initialCheckpoint(),
    );
    expect(items).toHaveLength(100);
  });

  it('answers documented errors: 401 without a token, 400 on CQL it does not parse, 404 for unknown ids', async () => {
    wiki = await startFakeConfluence();
    const get = (path: string, token: string | null = wiki?.token ?? '') =>
      fetch(`${wiki?.url}${path}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    expect((await get('/rest/api/user/current', null)).status).toBe(401);
    const bad = await get('/rest/api/content/search?cql=' + encodeURIComponent('label = x'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/Could not parse cql/) as string,
    });
    expect((await get('/rest/api/content/1')).status).toBe(404);
  });

  it('pages with start/limit and _links.next, capped at maxLimit', async () => {
    wiki = await startFakeConfluence({ pages: 30, maxLimit: 10 });
    const response = await fetch(`${wiki.url}/rest/api/content?spaceKey=DOCS&type=page&limit=50`, {
      headers: { Authorization: `Bearer ${wiki.token}` },
    });
    const body = (await response.json()) as { size: number; limit: number; _links: { next?: string } };
    expect(body).toMatchObject({ size: 10, limit: 10 });
    expect(body._links.next).toMatch(/start=10/);
  });
});
