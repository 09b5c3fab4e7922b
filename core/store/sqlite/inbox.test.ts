import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { openDatabase } from './open-database.js';
import { openSqliteStore } from './sqlite-store.js';
import { tenantMigrations } from './tenant-migrations.js';

const tick = () => new Promise((r) => setTimeout(r, 3)); // distinct updated_at timestamps

describe('agent inbox (SQLite)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(async () => {
    t = tempDir();
    store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
  });
  afterEach(async () => {
    await store.close();
    t.cleanup();
  });

  async function conversation(name: string | undefined, text: string) {
    const c = await store.conversations.create('acme', { channel: 'widget', visitor: name ? { name } : {} });
    await store.conversations.appendMessage('acme', c.id, { role: 'visitor', text });
    await tick();
    return c;
  }

  it('migrates the tenant file to version 7: assignee, read marker, notes, flagged sentences', async () => {
    const c = await conversation('Ada', 'hello');
    await store.conversations.assign('acme', c.id, 'Grace');
    await store.desk.addNote('acme', { conversationId: c.id, author: 'Grace', text: 'VIP' });
    const db = new Database(path.join(t.dir, 'home', 'tenants', 'acme', 'tenant.db'), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(7);
      const columns = (table: string) =>
        (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((r) => r.name);
      expect(columns('conversations')).toEqual(expect.arrayContaining(['assignee', 'agent_read_at']));
      expect(columns('agent_drafts')).toContain('unsupported');
      expect(db.prepare('SELECT author FROM internal_notes').all()).toEqual([{ author: 'Grace' }]);
    } finally {
      db.close();
    }
    expect((await store.conversations.get('acme', c.id))!.assignee).toBe('Grace');
  });

  it('upgrades a version 6 tenant file in place: old drafts get no flagged sentences', async () => {
    await store.close();
    const home = path.join(t.dir, 'old');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    await store.close();
    // Rebuild the tenant file at version 6 with a draft in it, as a release before the agent console left it.
    const file = path.join(home, 'tenants', 'acme', 'tenant.db');
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const old = openDatabase(file, 'tenant', tenantMigrations.slice(0, 6));
    const now = new Date().toISOString();
    old
      .prepare(
        `INSERT INTO conversations (id, channel, status, created_at, updated_at) VALUES ('c1', 'widget', 'open', ?, ?)`,
      )
      .run(now, now);
    old
      .prepare(
        `INSERT INTO messages (id, conversation_id, seq, role, text, created_at) VALUES ('m1', 'c1', 1, 'visitor', 'hi', ?)`,
      )
      .run(now);
    old
      .prepare(
        `INSERT INTO agent_drafts (id, conversation_id, message_id, text, confidence, escalate, created_at) VALUES ('d1', 'c1', 'm1', 'hello', 0.5, 0, ?)`,
      )
      .run(now);
    old.close();
    store = openSqliteStore(home);
    expect((await store.desk.drafts('acme'))[0]).toMatchObject({ id: 'd1', unsupported: [] });
    expect(await store.conversations.get('acme', 'c1')).toMatchObject({ assignee: null, agentReadAt: null });
    expect((await store.conversations.inbox('acme'))[0]).toMatchObject({
      id: 'c1',
      unread: 1,
      hasDraft: true,
    });
  });

  it('orders by open-escalation priority, then most recently updated, and counts the whole tenant', async () => {
    const quiet = await conversation('Quiet', 'just browsing');
    const low = await conversation('Low', 'a small question');
    const urgent = await conversation('Urgent', 'the site is down');
    const recent = await conversation('Recent', 'thanks');
    const done = await conversation('Done', 'solved');
    await store.desk.recordEscalation('acme', { conversationId: low.id, priority: 'low', reasons: [] });
    await store.desk.recordEscalation('acme', { conversationId: urgent.id, priority: 'urgent', reasons: [] });
    await store.desk.recordEscalation('acme', { conversationId: done.id, priority: 'high', reasons: [] });
    await store.conversations.setStatus('acme', urgent.id, 'pending_human');
    await store.conversations.setStatus('acme', done.id, 'resolved');
    await store.desk.closeEscalations('acme', done.id);
    await store.conversations.markRead('acme', quiet.id);

    const rows = await store.conversations.inbox('acme');
    expect(rows.map((r) => r.visitorName)).toEqual(['Urgent', 'Low', 'Done', 'Recent', 'Quiet']);
    expect(rows[0]).toMatchObject({
      priority: 'urgent',
      status: 'pending_human',
      unread: 1,
      hasDraft: false,
    });
    expect(rows[0]!.lastMessage).toMatchObject({ role: 'visitor', text: 'the site is down' });
    expect(rows.find((r) => r.id === done.id)!.priority).toBeNull();
    expect(rows.find((r) => r.id === quiet.id)!.unread).toBe(0);

    expect(await store.conversations.inboxCounts('acme')).toEqual({
      byStatus: { open: 3, pending_human: 1, resolved: 1 },
      byPriority: { urgent: 1, high: 0, medium: 0, low: 1 },
      unread: 3, // Low, Urgent, Recent (Quiet was read, Done is resolved)
    });
    // Another tenant's file has none of it.
    expect(await store.conversations.inbox('globex')).toEqual([]);
    expect((await store.conversations.inboxCounts('globex')).byStatus.open).toBe(0);
    void recent;
  });

  it('filters by status, priority, assignment, unread and a search over names and messages', async () => {
    const ada = await conversation('Ada', 'My invoice is wrong');
    const bob = await conversation('Bob', 'password reset 100%');
    const anon = await conversation(undefined, 'where is ADA lovelace?');
    await store.conversations.assign('acme', ada.id, 'Grace');
    await store.conversations.assign('acme', bob.id, 'Linus');
    await store.desk.recordEscalation('acme', { conversationId: bob.id, priority: 'high', reasons: [] });
    await store.conversations.setStatus('acme', bob.id, 'pending_human');
    await store.conversations.markRead('acme', ada.id);
    const ids = async (filter: Parameters<Store['conversations']['inbox']>[1]) =>
      (await store.conversations.inbox('acme', filter)).map((r) => r.id).sort();

    expect(await ids({ status: 'pending_human' })).toEqual([bob.id]);
    expect(await ids({ priority: 'high' })).toEqual([bob.id]);
    expect(await ids({ assignment: 'mine', agent: 'Grace' })).toEqual([ada.id]);
    expect(await ids({ assignment: 'others', agent: 'Grace' })).toEqual([bob.id]);
    expect(await ids({ assignment: 'unassigned' })).toEqual([anon.id]);
    expect(await ids({ unread: true })).toEqual([bob.id, anon.id].sort());
    expect(await ids({ unread: false })).toEqual([ada.id]);
    expect(await ids({ q: 'ada' })).toEqual([ada.id, anon.id].sort()); // name, and message text, any case
    expect(await ids({ q: 'invoice' })).toEqual([ada.id]);
    expect(await ids({ q: '100%' })).toEqual([bob.id]); // % is a character, not a wildcard
    expect(await ids({ q: '0%' })).toEqual([bob.id]);
    expect(await ids({ q: '_' })).toEqual([]);
    expect(await ids({ limit: 1 })).toHaveLength(1);
    await store.conversations.setStatus('acme', ada.id, 'resolved');
    expect(await ids({ status: 'unresolved' })).toEqual([bob.id, anon.id].sort()); // open + pending_human
    expect(await ids({ status: 'resolved' })).toEqual([ada.id]);
  });

  it('keeps notes, flagged draft sentences, and moves escalations between open and assigned', async () => {
    const c = await conversation('Ada', 'hi');
    const [message] = await store.conversations.messages('acme', c.id);
    const draft = await store.desk.saveDraft('acme', {
      conversationId: c.id,
      messageId: message!.id,
      text: 'A. B.',
      citations: [],
      confidence: 0.5,
      escalate: false,
      priority: null,
      reasons: [],
      unsupported: ['B.'],
    });
    expect((await store.desk.drafts('acme', { conversationId: c.id }))[0]).toEqual(draft);
    expect((await store.conversations.summary('acme', c.id))!.hasDraft).toBe(true);
    const e = await store.desk.recordEscalation('acme', {
      conversationId: c.id,
      priority: 'low',
      reasons: [],
    });
    expect(await store.desk.moveEscalations('acme', c.id, 'open', 'assigned')).toEqual([
      { ...e, status: 'assigned' },
    ]);
    expect(await store.desk.escalationQueue('acme', { statuses: ['open'], limit: 10 })).toEqual([]);
    await expect(
      store.desk.addNote('acme', { conversationId: 'nope', author: 'a', text: 'b' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('orders the escalation queue by priority, then oldest first', async () => {
    const a = await conversation('A', 'a');
    const b = await conversation('B', 'b');
    const first = await store.desk.recordEscalation('acme', {
      conversationId: a.id,
      priority: 'medium',
      reasons: [],
    });
    await tick();
    const second = await store.desk.recordEscalation('acme', {
      conversationId: b.id,
      priority: 'medium',
      reasons: [],
    });
    const top = await store.desk.recordEscalation('acme', {
      conversationId: b.id,
      priority: 'urgent',
      reasons: [],
    });
    const queue = await store.desk.escalationQueue('acme', { statuses: ['open', 'assigned'], limit: 10 });
    expect(queue.map((e) => e.id)).toEqual([top.id, first.id, second.id]);
  });

  it('replaces the origins of a widget key', async () => {
    const key = await store.widgetKeys.create({
      tenantId: 'acme',
      keyHash: 'h1',
      origins: ['http://a.local'],
    });
    expect((await store.widgetKeys.setOrigins(key.id, ['http://b.local']))!.origins).toEqual([
      'http://b.local',
    ]);
    expect(await store.widgetKeys.allowedOrigins()).toEqual(['http://b.local']);
    expect(await store.widgetKeys.setOrigins('nope', [])).toBeNull();
  });
});
