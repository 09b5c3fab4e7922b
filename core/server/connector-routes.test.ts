import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectorKindListSchema,
  connectorListSchema,
  connectorRoute,
  connectorViewSchema,
  consoleRoutes,
  secretFieldMarker,
  tenantRoute,
  type ConnectorView,
} from '../contract/console-api.js';
import {
  connectors,
  errorOf,
  openConnectorTestServer,
  route,
  type ConnectorTestServer,
} from './connector-routes.testing.js';

// Syncing, editing, secrets, cancelling and deleting are in connector-sync.test.ts.
describe('connector routes (real server, folder connector, secret store)', () => {
  let s: ConnectorTestServer;
  let folder: string;
  const call: ConnectorTestServer['call'] = (method, url, body) => s.call(method, url, body);

  beforeAll(async () => {
    s = await openConnectorTestServer();
    folder = s.folder;
  }, 60_000);
  afterAll(async () => s?.close());

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
    const anonymous = await fetch(s.origin + consoleRoutes.connectorKinds);
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
      settings: { path: path.join(s.dir, 'gone') },
    });
    expect(elsewhere.status).toBe(400);
    expect(errorOf(elsewhere.json).message).toMatch(/^Connection test failed: Folder .*gone does not exist/);
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
