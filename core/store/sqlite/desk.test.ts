import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-home.js';
import { openSqliteStore } from './sqlite-store.js';
import { hashWidgetKey } from '../../desk/widget-keys.js';
import { escalationReasons } from '../../contract/conversation.js';

describe('desk store (SQLite)', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('keeps the event log across a restart with ids that only grow, per conversation', async () => {
    const home = path.join(t.dir, 'home');
    let store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    const a = await store.conversations.create('acme', { channel: 'widget' });
    const b = await store.conversations.create('acme', { channel: 'widget' });
    const first = await store.desk.appendEvents('acme', a.id, [
      { type: 'message.delta', data: { delta: 'he' } },
      { type: 'message.completed', data: { text: 'hello' } },
    ]);
    await store.desk.appendEvents('acme', b.id, [{ type: 'conversation.resolved', data: {} }]);
    await store.close();
    store = openSqliteStore(home);
    const more = await store.desk.appendEvents('acme', a.id, [{ type: 'conversation.handoff', data: {} }]);
    expect(more[0]!.id).toBeGreaterThan(first[1]!.id);
    const all = await store.desk.events('acme', a.id);
    expect(all.map((e) => e.type)).toEqual(['message.delta', 'message.completed', 'conversation.handoff']);
    expect((await store.desk.events('acme', a.id, { afterId: first[0]!.id })).map((e) => e.id)).toEqual([
      first[1]!.id,
      more[0]!.id,
    ]);
    await expect(store.desk.appendEvents('acme', 'nope', [])).rejects.toMatchObject({ code: 'not_found' });
    await store.close();
  });

  it('settings default to draft mode at 0.75 and validate updates', async () => {
    const store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    expect(await store.desk.settings('acme')).toEqual({
      replyMode: 'draft',
      autoReplyThreshold: 0.75,
      handoffReasons: [...escalationReasons],
    });
    expect(await store.desk.updateSettings('acme', { replyMode: 'auto' })).toEqual({
      replyMode: 'auto',
      autoReplyThreshold: 0.75,
      handoffReasons: [...escalationReasons],
    });
    await expect(store.desk.updateSettings('acme', { autoReplyThreshold: 2 })).rejects.toThrow();
    await store.close();
  });

  it('keeps only a hash of widget keys, in the global database, and forgets revoked keys', async () => {
    const store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    const record = await store.widgetKeys.create({
      tenantId: 'acme',
      keyHash: hashWidgetKey('pk_secret'),
      origins: ['http://a.local'],
    });
    expect(await store.widgetKeys.findByHash(hashWidgetKey('pk_secret'))).toMatchObject({ tenantId: 'acme' });
    expect(await store.widgetKeys.allowedOrigins()).toEqual(['http://a.local']);
    expect(fs.readFileSync(path.join(t.dir, 'home', 'airdesk.db')).includes('pk_secret')).toBe(false);
    expect(await store.widgetKeys.revoke(record.id)).toBe(true);
    expect(await store.widgetKeys.findByHash(hashWidgetKey('pk_secret'))).toBeNull();
    expect(await store.widgetKeys.allowedOrigins()).toEqual([]);
    await store.close();
  });
});
