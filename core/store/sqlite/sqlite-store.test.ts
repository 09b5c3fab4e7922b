import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import { homeMarkerFile } from '../../home/data-folder.js';
import { tempDir } from '../../testing/temp-home.js';
import { documentIdFor } from './knowledge.js';
import { openSqliteStore } from './sqlite-store.js';

describe('SQLite store', () => {
  let home: string;
  let cleanup: () => void;
  let store: Store | undefined;
  beforeEach(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    cleanup();
  });

  it('lays out the data folder: marker, global database, one folder per tenant', async () => {
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme', name: 'Acme Bank' });
    expect(fs.existsSync(path.join(home, homeMarkerFile))).toBe(true);
    expect(fs.existsSync(path.join(home, 'airdesk.db'))).toBe(true);
    expect(fs.existsSync(path.join(home, 'tenants', 'acme', 'tenant.db'))).toBe(true);
    expect(await store.tenants.list()).toMatchObject([{ id: 'acme', name: 'Acme Bank' }]);
    await expect(store.tenants.create({ id: 'acme' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses a non-empty folder that is not an airdesk data folder, and writes nothing into it', () => {
    fs.writeFileSync(path.join(home, 'thesis.docx'), 'precious');
    expect(() => openSqliteStore(home)).toThrow(/not an airdesk data folder/);
    expect(fs.readdirSync(home)).toEqual(['thesis.docx']);
  });

  it('keeps tenants and sessions across a restart', async () => {
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    const { secret } = await store.sessions.create({ userId: null, ttlMs: 60_000 });
    await store.close();
    store = openSqliteStore(home);
    expect((await store.tenants.list()).map((t) => t.id)).toEqual(['acme']);
    expect(await store.sessions.findBySecret(secret)).not.toBeNull();
  });

  it('expires sessions, forgets deleted ones and never stores the secret', async () => {
    store = openSqliteStore(home);
    const live = await store.sessions.create({ userId: null, ttlMs: 60_000 });
    const dead = await store.sessions.create({ userId: null, ttlMs: -1 });
    expect((await store.sessions.findBySecret(live.secret))?.id).toBe(live.session.id);
    expect(await store.sessions.findBySecret(dead.secret)).toBeNull();
    expect(await store.sessions.findBySecret('guess')).toBeNull();
    await store.close();
    store = undefined;
    expect(fs.readFileSync(path.join(home, 'airdesk.db')).includes(live.secret)).toBe(false);
    store = openSqliteStore(home);
    await store.sessions.delete(live.session.id);
    expect(await store.sessions.findBySecret(live.secret)).toBeNull();
  });

  it('tells added, unchanged and updated documents apart and counts versions', async () => {
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    const source = await store.knowledge.createSource('acme', { name: 'files', kind: 'upload' });
    const doc = { sourceId: source.id, externalId: 'a.md', title: 'A', contentHash: 'h1' };
    expect((await store.knowledge.upsertDocument('acme', doc)).outcome).toBe('added');
    expect((await store.knowledge.upsertDocument('acme', doc)).outcome).toBe('unchanged');
    const changed = await store.knowledge.upsertDocument('acme', {
      ...doc,
      contentHash: 'h2',
      title: 'A v2',
    });
    expect(changed.outcome).toBe('updated');
    expect(changed.document).toMatchObject({ version: 2, title: 'A v2', contentHash: 'h2' });
    expect(changed.document.id).toBe(documentIdFor(source.id, 'a.md'));
    expect(await store.knowledge.deleteDocument('acme', changed.document.id)).toBe(true);
    expect(await store.knowledge.listDocuments('acme')).toEqual([]);
  });

  it('records connector checkpoints and sync runs', async () => {
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    const c = await store.connectors.add('acme', {
      kind: 'jira',
      name: 'tickets',
      settings: { host: 'jira.local' },
    });
    expect(await store.connectors.loadCheckpoint('acme', c.id)).toBeNull();
    await store.connectors.saveCheckpoint('acme', c.id, { hasMore: true, cursor: 'page-2' });
    expect(await store.connectors.loadCheckpoint('acme', c.id)).toEqual({ hasMore: true, cursor: 'page-2' });
    const run = await store.connectors.startRun('acme', c.id);
    const done = await store.connectors.finishRun('acme', run.id, {
      status: 'succeeded',
      added: 3,
      updated: 1,
      deleted: 0,
      failures: [{ externalId: 'PRJ-9', message: 'attachment unreadable' }],
      error: null,
    });
    expect(done).toMatchObject({ status: 'succeeded', added: 3, failures: [{ externalId: 'PRJ-9' }] });
    await expect(
      store.connectors.finishRun('acme', run.id, { ...done, status: 'failed' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.connectors.runs('acme', c.id)).toHaveLength(1);
  });

  it('recovers from a crash in the middle of creating a tenant', async () => {
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'first' });
    await store.close();
    // A crash after the folder was renamed into place but before the registry row was written...
    fs.renameSync(path.join(home, 'tenants', 'first'), path.join(home, 'tenants', 'orphan'));
    // ...and one while the folder was still being built.
    fs.mkdirSync(path.join(home, 'tenants', '.creating-other-1234'));
    store = openSqliteStore(home);
    expect(fs.existsSync(path.join(home, 'tenants', '.creating-other-1234'))).toBe(false);
    await store.tenants.create({ id: 'orphan' });
    expect((await store.tenants.list()).map((t) => t.id)).toEqual(['first', 'orphan']);
  });
});
