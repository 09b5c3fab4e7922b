import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectorKindListSchema,
  connectorListSchema,
  connectorRoute,
  connectorViewSchema,
  consoleRoutes,
  secretFieldMarker,
  syncRunListSchema,
  syncStartedSchema,
  tenantRoute,
  type ConnectorView,
} from '../contract/console-api.js';
import type { Store } from '../contract/store.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { EncryptedFileSecretStore } from '../secrets/index.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { shippedRegistry } from '../sync/registry.js';
import { FakeSource, fakeDefinition } from '../sync/testing/fake-connector.js';
import { tempDir } from '../testing/temp-home.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { createConnectorDesk, type ConnectorDesk } from './connector-desk.js';
import { startServer, type RunningServer } from './server.js';

const token = 'connector-routes-test-token-0123456789';
const bearer = { authorization: `Bearer ${token}` };
/** The fake source's API accepts only this token; it must never show up in a file, a log line or the audit. */
const sourceToken = 'src-TOKEN-7f3a9c-never-in-plain-text';

interface ErrorJson {
  error: { code: string; message: string };
}

/** A server-sent event stream read as it arrives. */
function openEvents(url: string) {
  const events: { event: string; data: unknown }[] = [];
  let buffer = '';
  const waiters: { test: (e: { event: string }) => boolean; resolve: () => void }[] = [];
  const request = http.get(url, { headers: { ...bearer, accept: 'text/event-stream' } });
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  void opened.then((response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let at;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (!event || data === undefined) continue;
        const parsed = { event, data: JSON.parse(data) as unknown };
        events.push(parsed);
        for (const w of waiters.splice(0)) {
          if (w.test(parsed)) w.resolve();
          else waiters.push(w);
        }
      }
    });
  });
  return {
    events,
    opened,
    until: (name: string) =>
      events.some((e) => e.event === name)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ test: (e) => e.event === name, resolve })),
    close: () => request.destroy(),
  };
}

describe('connector routes (real server, folder connector, secret store)', () => {
  let t: { dir: string; cleanup: () => void };
  let store: Store;
  let kb: KnowledgeBase;
  let desk: ConnectorDesk;
  let server: RunningServer;
  let origin: string;
  let closeAnswers: () => Promise<void>;
  let sourceApi: http.Server;
  let sourceUrl: string;
  const fake = new FakeSource();
  const logLines: string[] = [];
  let folder: string;
  const secretsHome = () => path.join(t.dir, 'home');

  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(origin + url, {
      method,
      headers: { ...bearer, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : undefined) as unknown };
  };
  const connectors = tenantRoute(consoleRoutes.connectors, 'acme');
  const route = (r: string, id: string) => connectorRoute(r, 'acme', id);
  const errorOf = (json: unknown) => (json as ErrorJson).error;
  const search = async (q: string) => (await kb.search('acme', q)).hits.map((h) => h.title.toLowerCase());

  beforeAll(async () => {
    t = tempDir();
    store = openSqliteStore(secretsHome());
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
    const answers = await openTestAnswerDesk(store, null);
    kb = answers.kb;
    closeAnswers = answers.close;
    folder = path.join(t.dir, 'kb');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'vpn.md'),
      '# VPN\n\nUse the Frankfurt gateway to reach the intranet.',
    );
    fs.writeFileSync(
      path.join(folder, 'refunds.md'),
      '# Refunds\n\nRefunds reach the card within five days.',
    );
    fs.writeFileSync(path.join(folder, 'huge.txt'), 'x'.repeat(5_000));
    // The fake source's API (a remote system) on 127.0.0.1: 401 unless the right bearer token comes.
    sourceApi = http.createServer((request, response) => {
      const ok = request.headers.authorization === `Bearer ${sourceToken}`;
      response.writeHead(ok ? 200 : 401).end('{}');
    });
    await new Promise<void>((r) => sourceApi.listen(0, '127.0.0.1', r));
    sourceUrl = `http://127.0.0.1:${(sourceApi.address() as AddressInfo).port}`;
    for (let i = 0; i < 12; i++) fake.put(`p${i}`, `Page ${i}`, `# Page ${i}\n\nText of page ${i}.`);
    fake.pageSize = 2;
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    desk = createConnectorDesk({
      kb,
      secrets: new EncryptedFileSecretStore(secretsHome(), { machineId: 'test-machine' }),
      logger,
      registry: { ...(await shippedRegistry()), fake: async () => ({ default: fakeDefinition(fake) }) },
    });
    await desk.scheduler.refresh();
    server = await startServer({
      store,
      answers: answers.desk,
      connectors: desk,
      logger,
      consolePort: 0,
      widgetPort: 0,
      widgetHost: '127.0.0.1',
      consoleToken: token,
    });
    origin = new URL(server.listening.console).origin;
  }, 60_000);

  afterAll(async () => {
    await desk?.scheduler.stop();
    await server?.close();
    await new Promise((r) => sourceApi?.close(r));
    await closeAnswers?.();
    await store?.close();
    t?.cleanup();
  });

  it('lists the kinds with their settings as JSON Schema, secret fields marked', async () => {
    const { status, json } = await call('GET', consoleRoutes.connectorKinds);
    expect(status).toBe(200);
    const { kinds } = connectorKindListSchema.parse(json);
    expect(kinds.map((k) => k.kind)).toEqual(
      expect.arrayContaining(['confluence', 'fake', 'folder', 'jira', 'notion', 'sharepoint']),
    );
    for (const k of kinds) expect(k.available, `${k.kind}: ${k.error}`).toBe(true);
    const folderKind = kinds.find((k) => k.kind === 'folder')!;
    expect(folderKind.displayName).toBe('Folder or network share');
    const props = folderKind.settingsSchema?.properties as Record<string, Record<string, unknown>>;
    expect(props.path?.type).toBe('string');
    expect(props.include?.type).toBe('array');
    expect(folderKind.settingsSchema?.required).toEqual(['path']);
    const confluence = kinds.find((k) => k.kind === 'confluence')!;
    const token = (confluence.settingsSchema?.properties as Record<string, Record<string, unknown>>).token;
    expect(token).toMatchObject({ type: 'string', format: 'password', [secretFieldMarker]: true });
    const anonymous = await fetch(origin + consoleRoutes.connectorKinds);
    expect(anonymous.status).toBe(401);
  });

  it('refuses bad input with a message naming the field, and shows validate() failures', async () => {
    const relative = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: 'kb' },
    });
    expect(relative.status).toBe(400);
    expect(errorOf(relative.json).message).toMatch(/^settings\.path: an absolute path/);

    const extension = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: folder, include: ['m d'] },
    });
    expect(errorOf(extension.json).message).toMatch(/^settings\.include\.0: an extension/);

    const missing = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: path.join(folder, 'nope') },
    });
    expect(missing.status).toBe(400);
    expect(errorOf(missing.json).message).toMatch(/^Connection test failed: Folder .*nope does not exist/);

    const schedule = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: folder },
      schedule: 'every hour',
    });
    expect(schedule.status).toBe(400);
    expect(errorOf(schedule.json).message).toMatch(/schedule "every hour" is not a cron expression/);

    const kind = await call('POST', connectors, { kind: 'ftp', name: 'docs', settings: {} });
    expect(errorOf(kind.json).message).toMatch(/unknown connector type "ftp"; available: .*folder/);

    const noName = await call('POST', connectors, { kind: 'folder', name: ' ', settings: { path: folder } });
    expect(errorOf(noName.json).message).toMatch(/^name: give the connector a name/);

    const tenant = await call('GET', tenantRoute(consoleRoutes.connectors, 'nobody'));
    expect(tenant.status).toBe(404);
    expect((await call('GET', connectors)).json).toEqual({ connectors: [] });
  });

  let docs: ConnectorView;

  it('tests settings before adding, adds, lists and tests the stored connector', async () => {
    const tested = await call('POST', tenantRoute(consoleRoutes.connectorTestNew, 'acme'), {
      kind: 'folder',
      settings: { path: folder },
    });
    expect(tested).toEqual({
      status: 200,
      json: { ok: true, message: 'Folder or network share: the connection works with these settings.' },
    });
    const added = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: folder, maxFileBytes: 1000 },
      schedule: '',
    });
    expect(added.status).toBe(201);
    docs = connectorViewSchema.parse(added.json);
    expect(docs).toMatchObject({
      kind: 'folder',
      name: 'docs',
      enabled: true,
      schedule: null,
      state: 'idle',
      lastRun: null,
      nextRunAt: null,
      storedSecrets: [],
      settings: { path: folder, maxFileBytes: 1000 },
    });
    const again = await call('POST', connectors, {
      kind: 'folder',
      name: 'docs',
      settings: { path: folder },
    });
    expect(again.status).toBe(409);

    const list = connectorListSchema.parse((await call('GET', connectors)).json);
    expect(list.connectors.map((c) => c.id)).toEqual([docs.id]);
    expect(
      connectorListSchema.parse((await call('GET', tenantRoute(consoleRoutes.connectors, 'globex'))).json),
    ).toEqual({ connectors: [] });
    // Another tenant cannot reach it even knowing its id.
    expect((await call('GET', connectorRoute(consoleRoutes.connectorRuns, 'globex', docs.id))).status).toBe(
      404,
    );

    expect((await call('POST', route(consoleRoutes.connectorTest, docs.id))).status).toBe(200);
    const elsewhere = await call('POST', route(consoleRoutes.connectorTest, docs.id), {
      settings: { path: path.join(t.dir, 'gone') },
    });
    expect(elsewhere.status).toBe(400);
    expect(errorOf(elsewhere.json).message).toMatch(/^Connection test failed: Folder .*gone does not exist/);
  });

  it('syncs now with live progress events, and keeps the history with per-item failures', async () => {
    const stream = openEvents(origin + route(consoleRoutes.connectorEvents, docs.id));
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

    const stream = openEvents(origin + route(consoleRoutes.connectorEvents, docs.id));
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
      settings: { apiUrl: sourceUrl, token: 'wrong-token' },
    });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.json).message).toBe('Connection test failed: the fake API refused the token (401)');
    const fromEnv = await call('POST', connectors, {
      kind: 'fake',
      name: 'wiki',
      settings: { apiUrl: sourceUrl, token: { env: 'AIRDESK_CONSOLE_TOKEN' } },
    });
    expect(errorOf(fromEnv.json).message).toMatch(/^settings\.token: a secret is typed in as plain text/);

    const added = await call('POST', connectors, {
      kind: 'fake',
      name: 'wiki',
      settings: { apiUrl: sourceUrl, token: sourceToken },
    });
    expect(added.status).toBe(201);
    const wiki = connectorViewSchema.parse(added.json);
    expect(wiki.storedSecrets).toEqual(['token']);
    expect(wiki.settings).toEqual({ apiUrl: sourceUrl });

    // Left empty: the stored token is used, so the test and the edit pass.
    expect(
      (
        await call('POST', route(consoleRoutes.connectorTest, wiki.id), {
          settings: { apiUrl: sourceUrl, token: '' },
        })
      ).status,
    ).toBe(200);
    const kept = await call('PATCH', route(consoleRoutes.connector, wiki.id), {
      settings: { apiUrl: sourceUrl, token: '' },
    });
    expect(kept.status).toBe(200);
    expect(connectorViewSchema.parse(kept.json).storedSecrets).toEqual(['token']);
    const replaced = await call('PATCH', route(consoleRoutes.connector, wiki.id), {
      settings: { apiUrl: sourceUrl, token: 'another-wrong-one' },
    });
    expect(replaced.status).toBe(400);

    const stream = openEvents(origin + route(consoleRoutes.connectorEvents, wiki.id));
    await stream.until('state');
    await call('POST', route(consoleRoutes.connectorSync, wiki.id), {});
    await stream.until('finished');
    stream.close();
    expect((stream.events.at(-1)?.data as { run: { status: string; added: number } }).run).toMatchObject({
      status: 'succeeded',
      added: 12,
    });

    const ref = ((await store.connectors.get('acme', wiki.id))?.settings.token as { secretRef: string })
      .secretRef;
    expect(await desk.secrets.get('acme', ref)).toBe(sourceToken);
    expect(grepFiles(secretsHome(), sourceToken)).toEqual([]);
    expect(logLines.join('')).not.toContain(sourceToken);
    const audit = await store.audit.list({ tenantId: 'acme', limit: 100 });
    expect(JSON.stringify(audit)).not.toContain(sourceToken);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['connector.add', 'connector.update', 'connector.sync']),
    );

    expect((await call('DELETE', route(consoleRoutes.connector, wiki.id))).status).toBe(204);
    expect(await desk.secrets.get('acme', ref)).toBeNull();
  });

  it('refuses a second run-now while one runs, and cancels it', async () => {
    const slow = await call('POST', connectors, { kind: 'fake', name: 'slow', settings: {} });
    const id = connectorViewSchema.parse(slow.json).id;
    fake.pageDelayMs = 300;
    const stream = openEvents(origin + route(consoleRoutes.connectorEvents, id));
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
    const late = openEvents(origin + route(consoleRoutes.connectorEvents, id));
    await late.until('state');
    expect((late.events[0]?.data as { state: string }).state).toBe('running');
    late.close();

    expect((await call('POST', route(consoleRoutes.connectorCancel, id))).json).toEqual({ cancelled: true });
    await stream.until('finished');
    stream.close();
    fake.pageDelayMs = 0;
    expect((stream.events.at(-1)?.data as { run: { status: string } }).run.status).toBe('cancelled');
    expect((await call('POST', route(consoleRoutes.connectorCancel, id))).json).toEqual({ cancelled: false });
    await call('DELETE', route(consoleRoutes.connector, id));
  });

  it('deletes a connector with its documents, and audits ids only', async () => {
    expect(await search('Frankfurt gateway')).toContain('vpn');
    const deleted = await call('DELETE', route(consoleRoutes.connector, docs.id));
    expect(deleted.status).toBe(204);
    expect(await search('Frankfurt gateway')).toEqual([]);
    expect(await store.knowledge.listSources('acme')).toEqual([]);
    expect((await call('GET', route(consoleRoutes.connectorRuns, docs.id))).status).toBe(404);
    expect((await call('DELETE', route(consoleRoutes.connector, docs.id))).status).toBe(404);
    expect((await call('GET', connectors)).json).toEqual({ connectors: [] });

    const audit = await store.audit.list({ tenantId: 'acme', limit: 100 });
    const mine = audit.filter((a) => a.action.startsWith('connector.'));
    expect(mine.find((a) => a.action === 'connector.delete' && a.target === docs.id)?.details).toEqual({
      kind: 'folder',
    });
    for (const entry of mine) expect(JSON.stringify(entry.details)).not.toMatch(/kb|token|path/i);
  });

  it('publishes the connector routes in the OpenAPI document', async () => {
    const { json } = await call('GET', consoleRoutes.openapi);
    const paths = Object.keys((json as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/connector-kinds',
        '/api/tenants/{tenant}/connectors',
        '/api/tenants/{tenant}/connectors/{connector}',
        '/api/tenants/{tenant}/connectors/{connector}/events',
      ]),
    );
  });
});

/** Files under `dir` whose bytes contain `text`. */
function grepFiles(dir: string, text: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(text)) hits.push(file);
  }
  return hits;
}
