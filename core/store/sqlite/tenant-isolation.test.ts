import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { openSqliteStore } from './sqlite-store.js';

/** One tenant must never reach another's rows or files through the store API, whatever ids it is handed. */
describe('tenant isolation', () => {
  let home: string;
  let cleanup: () => void;
  let store: Store;
  beforeEach(async () => {
    ({ dir: home, cleanup } = tempDir());
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'alpha' });
    await store.tenants.create({ id: 'beta' });
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  it('keeps conversations and messages apart even when the other tenant knows the id', async () => {
    const conv = await store.conversations.create('alpha', { channel: 'widget', visitor: { name: 'Ana' } });
    await store.conversations.appendMessage('alpha', conv.id, {
      role: 'visitor',
      text: 'my card was charged twice',
    });

    expect(await store.conversations.get('beta', conv.id)).toBeNull();
    expect(await store.conversations.list('beta')).toEqual([]);
    await expect(store.conversations.messages('beta', conv.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      store.conversations.appendMessage('beta', conv.id, { role: 'agent', text: 'injected' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.conversations.setStatus('beta', conv.id, 'resolved')).rejects.toMatchObject({
      code: 'not_found',
    });

    const own = await store.conversations.messages('alpha', conv.id);
    expect(own.map((m) => m.text)).toEqual(['my card was charged twice']);
    expect((await store.conversations.get('alpha', conv.id))?.status).toBe('open');
  });

  it('keeps documents, sources and connectors apart', async () => {
    const source = await store.knowledge.createSource('alpha', { name: 'handbook', kind: 'upload' });
    const { document } = await store.knowledge.upsertDocument('alpha', {
      sourceId: source.id,
      externalId: 'refunds.md',
      title: 'Refunds',
      contentHash: 'h1',
    });
    expect(await store.knowledge.getDocument('beta', document.id)).toBeNull();
    expect(await store.knowledge.listDocuments('beta')).toEqual([]);
    expect(await store.knowledge.deleteDocument('beta', document.id)).toBe(false);
    await expect(
      store.knowledge.upsertDocument('beta', {
        sourceId: source.id,
        externalId: 'x',
        title: 'x',
        contentHash: 'h',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.knowledge.getDocument('alpha', document.id)).not.toBeNull();

    const connector = await store.connectors.add('alpha', { kind: 'confluence', name: 'wiki', settings: {} });
    expect(await store.connectors.get('beta', connector.id)).toBeNull();
    await expect(store.connectors.startRun('beta', connector.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      store.connectors.saveCheckpoint('beta', connector.id, { hasMore: false }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it("never resolves a path into another tenant's folder", async () => {
    const inside = await store.tenantFile('alpha', 'lancedb/chunks.lance');
    expect(inside).toBe(path.join(home, 'tenants', 'alpha', 'lancedb', 'chunks.lance'));
    for (const escape of [
      '../beta/tenant.db',
      '../../airdesk.db',
      'lancedb/../../beta',
      path.join(home, 'x'),
      '',
    ]) {
      await expect(store.tenantFile('alpha', escape)).rejects.toMatchObject({ code: 'invalid_input' });
    }
    // A symlink planted inside a tenant's folder must not become a way into another's.
    fs.symlinkSync(path.join(home, 'tenants', 'beta'), path.join(home, 'tenants', 'alpha', 'link'));
    await expect(store.tenantFile('alpha', 'link/tenant.db')).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('rejects tenant ids that could name a path, and tenants that do not exist', async () => {
    for (const bad of ['../beta', 'Beta', 'a/b', '', '.', 'beta ', '-x']) {
      await expect(store.conversations.list(bad)).rejects.toMatchObject({ code: 'invalid_input' });
    }
    await expect(store.conversations.list('gamma')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.tenantFile('gamma', 'x')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('scopes the audit log by tenant', async () => {
    await store.audit.append({
      actor: 'admin',
      tenantId: 'alpha',
      action: 'tenant.create',
      target: null,
      details: {},
    });
    await store.audit.append({
      actor: 'admin',
      tenantId: 'beta',
      action: 'tenant.create',
      target: null,
      details: {},
    });
    const alpha = await store.audit.list({ tenantId: 'alpha' });
    expect(alpha).toHaveLength(1);
    expect(alpha[0]?.tenantId).toBe('alpha');
  });
});
