import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes, documentVisibilitySchema, tenantRoute } from '../contract/console-api.js';
import { ingestResultSchema, knowledgeRoutes, uploadFilenameHeader } from '../contract/knowledge-api.js';
import type { Store } from '../contract/store.js';
import { ingestDocuments } from '../knowledge/pipeline/ingest-run.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer, type RunningServer } from './server.js';

const token = 'knowledge-routes-test-token-0123456789';

describe('knowledge routes on the real console server (visibility, large uploads)', () => {
  let cleanup: () => void;
  let store: Store;
  let server: RunningServer;
  let desk: Awaited<ReturnType<typeof openTestAnswerDesk>>;
  let docId: string;
  const put = (tenant: string, document: string, body: unknown, auth = true) =>
    fetch(
      `${new URL(server.listening.console).origin}${tenantRoute(consoleRoutes.documentVisibility, tenant).replace(':document', encodeURIComponent(document))}`,
      {
        method: 'PUT',
        headers: {
          ...(auth ? { authorization: `Bearer ${token}` } : {}),
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      },
    );

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
    desk = await openTestAnswerDesk(store, null);
    await ingestDocuments(desk.kb, {
      tenant: 'acme',
      sourceName: 'handbook',
      items: (async function* () {
        yield {
          externalId: 'returns',
          title: 'Returns',
          source: 'returns.md',
          sections: [
            { headings: ['Returns'], text: 'Unworn shoes can be returned within 30 days of delivery.' },
          ],
        };
      })(),
      prune: false,
    });
    docId = (await store.knowledge.listDocuments('acme'))[0]!.id;
    server = await startServer({
      store,
      answers: desk.desk,
      logger: pino({ level: 'silent' }),
      consolePort: 0,
      widgetPort: 0,
      widgetHost: '127.0.0.1',
      consoleToken: token,
    });
  });
  afterAll(async () => {
    await server.close();
    await desk.close();
    await store.close();
    cleanup();
  });

  const widgetSees = async () =>
    (await desk.kb.search('acme', 'return unworn shoes', { mode: 'bm25', audience: { kind: 'public' } })).hits
      .length > 0;

  it('marks a document public for the widget, hides it again, and follows the source with null', async () => {
    expect(await widgetSees()).toBe(false);
    const shown = await put('acme', docId, { public: true });
    expect(shown.status).toBe(200);
    expect(documentVisibilitySchema.parse(await shown.json())).toMatchObject({
      externalId: 'returns',
      isPublic: true,
      publicOverride: true,
    });
    expect(await widgetSees()).toBe(true);
    expect((await put('acme', docId, { public: null })).status).toBe(200);
    expect(await widgetSees()).toBe(false);
    const audit = await store.audit.list({ tenantId: 'acme' });
    expect(audit.filter((a) => a.action === 'document.visibility').map((a) => a.details)).toEqual(
      expect.arrayContaining([{ public: true }, { public: null }]),
    );
  });

  it('needs the console token, a known tenant and document, and a valid body', async () => {
    expect((await put('acme', docId, { public: true }, false)).status).toBe(401);
    expect((await put('nope', docId, { public: true })).status).toBe(404);
    expect((await put('globex', docId, { public: true })).status).toBe(404);
    expect((await put('acme', 'no-such-doc', { public: true })).status).toBe(404);
    const bad = await put('acme', docId, { public: 'yes' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/public/);
  });

  it('takes an upload past the console’s 1 MiB JSON limit, only with the console token', async () => {
    const url = `${new URL(server.listening.console).origin}${tenantRoute(knowledgeRoutes.uploads, 'acme')}`;
    // Over 1 MiB of distinct paragraphs, so the file is not one repeated chunk.
    const shelves = Array.from({ length: 28_000 }, (_, i) => `Shelf ${i} holds boxes of spare parts.`);
    const text = shelves.join('\n\n');
    const body = `# Warehouse\n\n${text}\n\nThe forklift key hangs beside the loading dock door.`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    const send = (auth: boolean) =>
      fetch(url, {
        method: 'POST',
        headers: {
          ...(auth ? { authorization: `Bearer ${token}` } : {}),
          'content-type': 'application/octet-stream',
          [uploadFilenameHeader]: encodeURIComponent('warehouse.txt'),
        },
        body,
      });
    expect((await send(false)).status).toBe(401);
    const res = await send(true);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(ingestResultSchema.parse(await res.json())).toMatchObject({ source: 'Uploads', added: 1 });
    const hits = await desk.kb.search('acme', 'forklift key loading dock', { mode: 'bm25' });
    expect(hits.hits[0]?.externalId).toBe('warehouse.txt');
  });
});
