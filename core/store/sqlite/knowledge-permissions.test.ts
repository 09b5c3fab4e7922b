import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import type { Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { normalizePermissions, samePermissions } from './knowledge.js';
import { openSqliteStore } from './sqlite-store.js';

describe('document permissions in the tenant store', () => {
  let cleanup: () => void;
  let store: Store;
  let sourceId: string;
  beforeEach(async () => {
    let home: string;
    ({ dir: home, cleanup } = tempDir());
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    sourceId = (await store.knowledge.createSource('acme', { name: 'wiki', kind: 'connector' })).id;
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  it('stores normalised source permissions; a permission change is an update of the same version', async () => {
    const doc = { sourceId, externalId: 'a', title: 'A', contentHash: 'h1' };
    const added = await store.knowledge.upsertDocument('acme', {
      ...doc,
      permissions: { public: false, principals: ['group:b', ' group:a ', 'group:b', ''] },
    });
    expect(added.document).toMatchObject({
      permissions: { public: false, principals: ['group:a', 'group:b'] },
      publicOverride: null,
      isPublic: false,
    });
    const reordered = await store.knowledge.upsertDocument('acme', {
      ...doc,
      permissions: { public: false, principals: ['group:a', 'group:b'] },
    });
    expect(reordered.outcome).toBe('unchanged');
    const opened = await store.knowledge.upsertDocument('acme', {
      ...doc,
      permissions: { public: true, principals: [] },
    });
    expect(opened.outcome).toBe('updated');
    expect(opened.document).toMatchObject({ version: 1, isPublic: true, contentHash: 'h1' });
    // Absent permissions: every agent, not public; same meaning as { public: false, principals: [] }.
    const none = await store.knowledge.upsertDocument('acme', doc);
    expect(none).toMatchObject({ outcome: 'updated', document: { permissions: null, isPublic: false } });
    const empty = await store.knowledge.upsertDocument('acme', {
      ...doc,
      permissions: { public: false, principals: [] },
    });
    expect(empty.outcome).toBe('unchanged');
  });

  it("keeps an admin's public choice across upserts until it is cleared", async () => {
    const doc = { sourceId, externalId: 'a', title: 'A', contentHash: 'h1' };
    const { document } = await store.knowledge.upsertDocument('acme', {
      ...doc,
      permissions: { public: false, principals: ['group:hr'] },
    });
    expect(await store.knowledge.setPublic('acme', document.id, true)).toMatchObject({
      publicOverride: true,
      isPublic: true,
      permissions: { public: false, principals: ['group:hr'] },
    });
    const resynced = await store.knowledge.upsertDocument('acme', {
      ...doc,
      contentHash: 'h2',
      permissions: { public: false, principals: ['group:payroll'] },
    });
    expect(resynced.document).toMatchObject({ version: 2, publicOverride: true, isPublic: true });
    expect(await store.knowledge.setPublic('acme', document.id, null)).toMatchObject({
      publicOverride: null,
      isPublic: false,
    });
    expect((await store.knowledge.setPublic('acme', document.id, false)).isPublic).toBe(false);
    const error: unknown = await store.knowledge.setPublic('acme', 'missing', true).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('not_found');
  });

  it('compares permissions by meaning', () => {
    expect(normalizePermissions(undefined)).toBeNull();
    expect(samePermissions(null, { public: false, principals: [] })).toBe(true);
    expect(
      samePermissions({ public: false, principals: ['b', 'a'] }, { public: false, principals: ['a', 'b'] }),
    ).toBe(true);
    expect(samePermissions({ public: true, principals: [] }, { public: false, principals: [] })).toBe(false);
  });
});
