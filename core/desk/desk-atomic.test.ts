import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contract/store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { DeskService } from './desk-service.js';
import { FakeDeskEngine } from './fake-desk-engine.testing.js';

/**
 * Each agent action is all or nothing: a write that fails half way (SQLITE_BUSY when the worker thread holds the
 * tenant file, a full disk) leaves the conversation as it was. A trigger makes one of the action's writes fail.
 */
describe('desk service: agent actions are all or nothing', () => {
  let t: ReturnType<typeof tempDir>;
  let home: string;
  let store: Store;
  let desk: DeskService;

  beforeEach(async () => {
    t = tempDir();
    home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    desk = new DeskService({ store, engine: new FakeDeskEngine() });
  });
  afterEach(async () => {
    await desk.idle();
    await store.close();
    t.cleanup();
  });

  /** Makes every `event` on `table` fail until the returned function is called. */
  function failOn(table: string, event: 'INSERT' | 'UPDATE'): () => void {
    const db = new Database(path.join(home, 'tenants', 'acme', 'tenant.db'));
    db.exec(
      `CREATE TRIGGER fail_once BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`,
    );
    return () => {
      db.exec('DROP TRIGGER fail_once');
      db.close();
    };
  }

  async function drafted() {
    const c = await desk.startConversation('acme', { name: 'Ada' });
    await (
      await desk.postVisitorMessage('acme', c.id, 'How do I reset my password?')
    ).done;
    const [draft] = await desk.drafts('acme', { conversationId: c.id });
    return { c, draft: draft! };
  }

  it('resolve: no resolved conversation with its escalation still open', async () => {
    const { c } = await drafted();
    await desk.agent.escalate('acme', c.id, { agent: 'Grace', priority: 'high' });
    const heal = failOn('escalations', 'UPDATE');
    await expect(desk.agent.resolve('acme', c.id)).rejects.toThrow(/disk trouble/);
    heal();
    expect((await desk.conversation('acme', c.id)).status).toBe('pending_human');
    expect((await desk.escalations('acme', { conversationId: c.id }))[0]!.status).toBe('open');
  });

  it('hand-off: no pending_human without an escalation', async () => {
    const { c } = await drafted();
    const heal = failOn('escalations', 'INSERT');
    await expect(desk.agent.escalate('acme', c.id, { agent: 'Grace', priority: 'high' })).rejects.toThrow(
      /disk trouble/,
    );
    heal();
    expect((await desk.conversation('acme', c.id)).status).toBe('open');
    expect((await desk.messages('acme', c.id)).map((m) => m.role)).toEqual(['visitor']);
  });

  it('reply: a reply is never stored while its draft stays pending (it could be sent twice)', async () => {
    const { c, draft } = await drafted();
    const heal = failOn('agent_drafts', 'UPDATE');
    await expect(
      desk.agent.reply('acme', c.id, { text: draft.text, draftId: draft.id, agent: 'Grace' }),
    ).rejects.toThrow(/disk trouble/);
    heal();
    expect((await desk.messages('acme', c.id)).map((m) => m.role)).toEqual(['visitor']);
    expect((await desk.drafts('acme', { conversationId: c.id }))[0]!.status).toBe('pending');
    expect(await desk.events('acme', c.id)).toEqual([]);
  });

  it('reply: the same draft sent twice at once goes out once', async () => {
    const { c, draft } = await drafted();
    const send = () =>
      desk.agent.reply('acme', c.id, { text: draft.text, draftId: draft.id, agent: 'Grace' });
    const results = await Promise.allSettled([send(), send()]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await desk.messages('acme', c.id)).filter((m) => m.role === 'agent')).toHaveLength(1);
  });

  it('assign: the assignee and the escalation status change together', async () => {
    const { c } = await drafted();
    await desk.agent.escalate('acme', c.id, { agent: 'Grace', priority: 'high' });
    const heal = failOn('escalations', 'UPDATE');
    await expect(desk.agent.assign('acme', c.id, 'Grace')).rejects.toThrow(/disk trouble/);
    heal();
    expect((await desk.conversation('acme', c.id)).assignee).toBeNull();
  });

  it('files a new escalation of an assigned conversation as assigned, not in the unclaimed queue', async () => {
    const { c } = await drafted();
    await desk.agent.assign('acme', c.id, 'Grace');
    const escalation = await desk.agent.escalate('acme', c.id, { agent: 'Grace', priority: 'urgent' });
    expect(escalation.status).toBe('assigned');
    expect((await desk.inbox.escalationQueue('acme', { status: 'open', limit: 10 })).escalations).toEqual([]);
    expect(
      (await store.desk.recordEscalation('acme', { conversationId: c.id, priority: 'low', reasons: [] }))
        .status,
    ).toBe('assigned');
  });
});
