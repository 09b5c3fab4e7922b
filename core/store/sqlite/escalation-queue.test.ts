import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { openSqliteStore } from './sqlite-store.js';

const tick = () => new Promise((r) => setTimeout(r, 3)); // distinct timestamps

describe('escalation queue and inbox priority (SQLite)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(async () => {
    t = tempDir();
    store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
  });
  afterEach(async () => {
    await store.close();
    t.cleanup();
  });

  it('lists closed escalations most recently closed first, whatever their priority', async () => {
    const closed: string[] = [];
    for (const priority of ['urgent', 'low', 'high'] as const) {
      const c = await store.conversations.create('acme', { channel: 'widget' });
      await store.desk.recordEscalation('acme', { conversationId: c.id, priority, reasons: [] });
      closed.push(c.id);
    }
    // Closed urgent first, then high, then low: the latest closed come first, not the most urgent.
    for (const id of [closed[0]!, closed[2]!, closed[1]!]) {
      await tick();
      await store.desk.closeEscalations('acme', id);
    }
    const queue = await store.desk.escalationQueue('acme', { statuses: ['closed'], limit: 2 });
    expect(queue.map((e) => e.conversationId)).toEqual([closed[1], closed[2]]);
  });

  it('gives a resolved conversation no priority even if an escalation of it was left open', async () => {
    const stale = await store.conversations.create('acme', { channel: 'widget' });
    await store.desk.recordEscalation('acme', { conversationId: stale.id, priority: 'urgent', reasons: [] });
    await store.conversations.setStatus('acme', stale.id, 'resolved'); // as a crash between the two writes left it
    await tick();
    const fresh = await store.conversations.create('acme', { channel: 'widget' });
    await store.conversations.appendMessage('acme', fresh.id, { role: 'visitor', text: 'hi' });
    const rows = await store.conversations.inbox('acme');
    expect(rows.map((r) => [r.id, r.priority])).toEqual([
      [fresh.id, null],
      [stale.id, null],
    ]);
    expect((await store.conversations.summary('acme', stale.id))!.priority).toBeNull();
  });

  it('pages the inbox in its order: each page is the start of the full list, filters included', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await store.conversations.create('acme', { channel: 'widget', visitor: { name: `V${i}` } });
      await store.conversations.appendMessage('acme', c.id, { role: 'visitor', text: `question ${i}` });
      if (i % 3 === 0) await store.conversations.markRead('acme', c.id);
      if (i % 2 === 1) {
        const priority = (['low', 'urgent', 'high', 'medium'] as const)[(i - 1) / 2]!;
        await store.desk.recordEscalation('acme', { conversationId: c.id, priority, reasons: [] });
      }
      ids.push(c.id);
      await tick();
    }
    const full = await store.conversations.inbox('acme');
    expect(full.map((r) => r.priority)).toEqual(['urgent', 'high', 'medium', 'low', null, null, null, null]);
    expect(full.slice(4).map((r) => r.visitorName)).toEqual(['V6', 'V4', 'V2', 'V0']);
    expect(await store.conversations.inbox('acme', { limit: 3 })).toEqual(full.slice(0, 3));
    const unread = full.filter((r) => r.unread > 0);
    expect(await store.conversations.inbox('acme', { unread: true, limit: 4 })).toEqual(unread.slice(0, 4));
    expect(await store.conversations.inbox('acme', { priority: 'high' })).toEqual(
      full.filter((r) => r.priority === 'high'),
    );
    expect(ids).toHaveLength(8);
  });
});
