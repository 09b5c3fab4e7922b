import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectorListSchema,
  connectorViewSchema,
  consoleRoutes,
  syncRunListSchema,
  syncStartedSchema,
  type ConnectorView,
} from '../contract/console-api.js';
import {
  connectors,
  errorOf,
  grepFiles,
  openConnectorTestServer,
  route,
  sourceToken,
  type ConnectorTestServer,
} from './connector-routes.testing.js';

// In order: the folder connector added here is synced, edited, and at the end deleted; the fake one in between
// brings a secret. Listing, adding and bad input are in connector-routes.test.ts.
describe('connector sync, edit, secrets and delete (real server, folder connector, secret store)', () => {
  let s: ConnectorTestServer;
  let folder: string;
  let docs: ConnectorView;
  const call: ConnectorTestServer['call'] = (method, url, body) => s.call(method, url, body);
  const search = (q: string) => s.search(q);

  beforeAll(async () => {
    s = await openConnectorTestServer();
    folder = s.folder;
    // As connector-routes.test.ts adds it: files over 1,000 bytes fail, no schedule.
    const added = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: folder, maxFileBytes: 1000 },
      schedule: '',
    });
    if (added.status !== 201) throw new Error(`adding the folder connector: ${JSON.stringify(added.json)}`);
    docs = connectorViewSchema.parse(added.json);
  }, 60_000);
  afterAll(async () => s?.close());

  it('syncs now with live progress events, and keeps the history with per-item failures', async () => {
    const stream = s.events(docs.id);
    const response = await stream.opened;
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    await stream.until('state');
    expect(stream.events[0]).toEqual({ event: 'state', data: { state: 'idle', progress: null } });

    const started = await call('POST', route(consoleRoutes.connectorSync, docs.id), {});
    expect(started.status).toBe(202);
    const { runId, state } = syncStartedSchema.parse(started.json);
    expect(state).toBe('running');
    expect(runId).toEqual(expect.any(String));
    await stream.until('finished');
    stream.close();

    const names = stream.events.map((e) => e.event);
    expect(names[0]).toBe('state');
    expect(names).toContain('started');
    expect(names).toContain('progress');
    expect(names.at(-1)).toBe('finished');
    const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress.at(-1)).toMatchObject({ runId, documents: 3, added: 2, failed: 1 });
    const finished = stream.events.at(-1)?.data as { run: { id: string; status: string } };
    expect(finished.run).toMatchObject({ id: runId, status: 'succeeded' });

    const { runs } = syncRunListSchema.parse(
      (await call('GET', route(consoleRoutes.connectorRuns, docs.id))).json,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, status: 'succeeded', added: 2, updated: 0, deleted: 0 });
    expect(runs[0]?.failures).toEqual([
      { externalId: 'huge.txt', message: expect.stringMatching(/too large/) as unknown },
    ]);
    expect(await search('Frankfurt gateway')).toContain('vpn');

    const list = connectorListSchema.parse((await call('GET', connectors)).json);
    expect(list.connectors[0]?.lastRun?.id).toBe(runId);
  });

  it('edits the schedule, settings and enabled flag', async () => {
    const scheduled = await call('PATCH', route(consoleRoutes.connector, docs.id), {
      schedule: '*/30 * * * *',
    });
    expect(scheduled.status).toBe(200);
    const view = connectorViewSchema.parse(scheduled.json);
    expect(view.schedule).toBe('*/30 * * * *');
    expect(Date.parse(view.nextRunAt ?? '')).toBeGreaterThan(Date.now());

    const bad = await call('PATCH', route(consoleRoutes.connector, docs.id), { schedule: '61 * * * *' });
    expect(bad.status).toBe(400);
    const rename = await call('PATCH', route(consoleRoutes.connector, docs.id), { name: 'other' });
    expect(errorOf(rename.json).message).toMatch(/^name: a connector keeps its name/);
    const badSettings = await call('PATCH', route(consoleRoutes.connector, docs.id), {
      settings: { path: folder, maxFileBytes: -1 },
    });
    expect(errorOf(badSettings.json).message).toMatch(/^settings\.maxFileBytes: /);

    const edited = await call('PATCH', route(consoleRoutes.connector, docs.id), {
      settings: { path: folder, maxFileBytes: 1_000_000, exclude: ['refunds.md'] },
      schedule: null,
    });
    expect(connectorViewSchema.parse(edited.json)).toMatchObject({
      schedule: null,
      nextRunAt: null,
      settings: { path: folder, maxFileBytes: 1_000_000, exclude: ['refunds.md'] },
    });

    const disabled = await call('PATCH', route(consoleRoutes.connector, docs.id), { enabled: false });
    expect(connectorViewSchema.parse(disabled.json).enabled).toBe(false);
    const refused = await call('POST', route(consoleRoutes.connectorSync, docs.id), {});
    expect(refused.status).toBe(409);
    expect(errorOf(refused.json).message).toMatch(/is disabled; enable it to sync/);
    await call('PATCH', route(consoleRoutes.connector, docs.id), { enabled: true });

    const stream = s.events(docs.id);
    await stream.until('state');
    await call('POST', route(consoleRoutes.connectorSync, docs.id), { full: true });
    await stream.until('finished');
    stream.close();
    const [last] = syncRunListSchema.parse(
      (await call('GET', route(consoleRoutes.connectorRuns, docs.id))).json,
    ).runs;
    // The big file is read now, and the excluded one is pruned.
    expect(last).toMatchObject({ status: 'succeeded', added: 1, deleted: 1, failures: [] });
    expect(await search('Refunds five days')).not.toContain('refunds');
  });

  it('keeps typed-in secrets in the secret store only, and keeps a secret left empty', async () => {
    const wrong = await call('POST', connectors, {
      kind: 'fake',
      name: 'wiki',
      settings: { apiUrl: s.sourceUrl, token: 'wrong-token' },
    });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.json).message).toBe('Connection test failed: the fake API refused the token (401)');
    const fromEnv = await call('POST', connectors, {
      kind: 'fake',
      name: 'wiki',
      settings: { apiUrl: s.sourceUrl, token: { env: 'AIRDESK_CONSOLE_TOKEN' } },
    });
    expect(errorOf(fromEnv.json).message).toMatch(/^settings\.token: a secret is typed in as plain text/);

    const added = await call('POST', connectors, {
      kind: 'fake',
      name: 'wiki',
      settings: { apiUrl: s.sourceUrl, token: sourceToken },
    });
    expect(added.status).toBe(201);
    const wiki = connectorViewSchema.parse(added.json);
    expect(wiki.storedSecrets).toEqual(['token']);
    expect(wiki.settings).toEqual({ apiUrl: s.sourceUrl });

    // Left empty: the stored token is used, so the test and the edit pass.
    expect(
      (
        await call('POST', route(consoleRoutes.connectorTest, wiki.id), {
          settings: { apiUrl: s.sourceUrl, token: '' },
        })
      ).status,
    ).toBe(200);
    const kept = await call('PATCH', route(consoleRoutes.connector, wiki.id), {
      settings: { apiUrl: s.sourceUrl, token: '' },
    });
    expect(kept.status).toBe(200);
    expect(connectorViewSchema.parse(kept.json).storedSecrets).toEqual(['token']);
    const replaced = await call('PATCH', route(consoleRoutes.connector, wiki.id), {
      settings: { apiUrl: s.sourceUrl, token: 'another-wrong-one' },
    });
    expect(replaced.status).toBe(400);

    const stream = s.events(wiki.id);
    await stream.until('state');
    await call('POST', route(consoleRoutes.connectorSync, wiki.id), {});
    await stream.until('finished');
    stream.close();
    expect((stream.events.at(-1)?.data as { run: { status: string; added: number } }).run).toMatchObject({
      status: 'succeeded',
      added: 12,
    });

    const ref = ((await s.store.connectors.get('acme', wiki.id))?.settings.token as { secretRef: string })
      .secretRef;
    expect(await s.desk.secrets.get('acme', ref)).toBe(sourceToken);
    expect(grepFiles(s.home, sourceToken)).toEqual([]);
    expect(s.logLines.join('')).not.toContain(sourceToken);
    const audit = await s.store.audit.list({ tenantId: 'acme', limit: 100 });
    expect(JSON.stringify(audit)).not.toContain(sourceToken);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['connector.add', 'connector.update', 'connector.sync']),
    );

    expect((await call('DELETE', route(consoleRoutes.connector, wiki.id))).status).toBe(204);
    expect(await s.desk.secrets.get('acme', ref)).toBeNull();
  });

  it('refuses a second run-now while one runs, and cancels it', async () => {
    const slow = await call('POST', connectors, { kind: 'fake', name: 'slow', settings: {} });
    const id = connectorViewSchema.parse(slow.json).id;
    s.fake.pageDelayMs = 300;
    const stream = s.events(id);
    await stream.until('state');
    const first = await call('POST', route(consoleRoutes.connectorSync, id), { full: true });
    expect(first.status).toBe(202);
    const second = await call('POST', route(consoleRoutes.connectorSync, id), {});
    expect(second.status).toBe(409);
    expect(errorOf(second.json).message).toMatch(/already syncing/);
    expect(
      connectorListSchema.parse((await call('GET', connectors)).json).connectors.find((c) => c.id === id)
        ?.state,
    ).toBe('running');

    // A stream that joins mid-run is told it is running.
    const late = s.events(id);
    await late.until('state');
    expect((late.events[0]?.data as { state: string }).state).toBe('running');
    late.close();

    expect((await call('POST', route(consoleRoutes.connectorCancel, id))).json).toEqual({ cancelled: true });
    await stream.until('finished');
    stream.close();
    s.fake.pageDelayMs = 0;
    expect((stream.events.at(-1)?.data as { run: { status: string } }).run.status).toBe('cancelled');
    expect((await call('POST', route(consoleRoutes.connectorCancel, id))).json).toEqual({ cancelled: false });
    await call('DELETE', route(consoleRoutes.connector, id));
  });

  it('deletes a connector with its documents, and audits ids only', async () => {
    expect(await search('Frankfurt gateway')).toContain('vpn');
    const deleted = await call('DELETE', route(consoleRoutes.connector, docs.id));
    expect(deleted.status).toBe(204);
    expect(await search('Frankfurt gateway')).toEqual([]);
    expect(await s.store.knowledge.listSources('acme')).toEqual([]);
    expect((await call('GET', route(consoleRoutes.connectorRuns, docs.id))).status).toBe(404);
    expect((await call('DELETE', route(consoleRoutes.connector, docs.id))).status).toBe(404);
    expect((await call('GET', connectors)).json).toEqual({ connectors: [] });

    const audit = await s.store.audit.list({ tenantId: 'acme', limit: 100 });
    const mine = audit.filter((a) => a.action.startsWith('connector.'));
    expect(mine.find((a) => a.action === 'connector.delete' && a.target === docs.id)?.details).toEqual({
      kind: 'folder',
    });
    for (const entry of mine) expect(JSON.stringify(entry.details)).not.toMatch(/kb|token|path/i);
  });
});
