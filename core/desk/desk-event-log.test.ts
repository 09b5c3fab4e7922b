import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationEvent } from '../contract/conversation.js';
import type { Store } from '../contract/store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { DeskService, handoffText } from './desk-service.js';
import { FakeDeskEngine } from './fake-desk-engine.testing.js';

/**
 * A change the widget hears of and its event are one store transaction: when the event cannot be written, the
 * change is not made either (the agent may send again without the visitor getting it twice), and a stored
 * change always reaches the widget's stream. A trigger makes the event log's inserts fail.
 */
describe('desk service: a change and its widget event are written together', () => {
  let t: ReturnType<typeof tempDir>;
  let home: string;
  let store: Store;
  let engine: FakeDeskEngine;
  let desk: DeskService;

  beforeEach(async () => {
    t = tempDir();
    home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    engine = new FakeDeskEngine();
    desk = new DeskService({ store, engine });
  });
  afterEach(async () => {
    await desk.idle();
    await store.close();
    t.cleanup();
  });

  /** Makes every insert into the conversation event log fail until the returned function is called. */
  function eventLogFails(): () => void {
    const db = new Database(path.join(home, 'tenants', 'acme', 'tenant.db'));
    db.exec(
      `CREATE TRIGGER events_fail BEFORE INSERT ON conversation_events
       BEGIN SELECT RAISE(ABORT, 'event log trouble'); END`,
    );
    return () => {
      db.exec('DROP TRIGGER events_fail');
      db.close();
    };
  }

  async function drafted(text = 'How do I reset my password?') {
    const c = await desk.startConversation('acme', { name: 'Ada' });
    await (
      await desk.postVisitorMessage('acme', c.id, text)
    ).done;
    const [draft] = await desk.drafts('acme', { conversationId: c.id });
    return { c, draft: draft! };
  }

  it('reply: no stored reply without its message.completed; sending again then goes out once', async () => {
    const { c, draft } = await drafted();
    const heal = eventLogFails();
    const send = () =>
      desk.agent.reply('acme', c.id, { text: draft.text, draftId: draft.id, agent: 'Grace' });
    await expect(send()).rejects.toThrow(/event log trouble/);
    heal();
    expect((await desk.messages('acme', c.id)).map((m) => m.role)).toEqual(['visitor']);
    expect((await desk.drafts('acme', { conversationId: c.id }))[0]!.status).toBe('pending');

    const heard: ConversationEvent[] = [];
    desk.subscribe('acme', c.id, (e) => heard.push(e));
    const sent = await send();
    expect((await desk.messages('acme', c.id)).filter((m) => m.role === 'agent')).toHaveLength(1);
    const stored = await desk.events('acme', c.id);
    expect(stored.map((e) => [e.type, e.data.messageId])).toEqual([['message.completed', sent.id]]);
    expect(heard).toEqual(stored); // listeners hear what was stored, once
  });

  it('resolve: not resolved without conversation.resolved', async () => {
    const { c } = await drafted();
    const heal = eventLogFails();
    await expect(desk.agent.resolve('acme', c.id)).rejects.toThrow(/event log trouble/);
    heal();
    expect((await desk.conversation('acme', c.id)).status).toBe('open');
    expect((await desk.drafts('acme', { conversationId: c.id }))[0]!.status).toBe('pending');
  });

  it('hand-off: no handoff notice without its events', async () => {
    const { c } = await drafted();
    const heal = eventLogFails();
    await expect(desk.agent.escalate('acme', c.id, { agent: 'Grace', priority: 'high' })).rejects.toThrow(
      /event log trouble/,
    );
    heal();
    expect((await desk.conversation('acme', c.id)).status).toBe('open');
    expect((await desk.messages('acme', c.id)).map((m) => m.text)).not.toContain(handoffText);
    expect(await desk.escalations('acme', { conversationId: c.id })).toEqual([]);

    await desk.agent.escalate('acme', c.id, { agent: 'Grace', priority: 'high' });
    expect((await desk.events('acme', c.id)).map((e) => e.type)).toEqual([
      'message.completed',
      'conversation.handoff',
    ]);
  });

  it('auto reply: no AI reply stored that the widget would never hear of', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto' });
    const c = await desk.startConversation('acme');
    const heal = eventLogFails();
    await (
      await desk.postVisitorMessage('acme', c.id, 'How do I reset my password?')
    ).done; // the engine run fails; `done` never rejects
    heal();
    expect((await desk.messages('acme', c.id)).map((m) => m.role)).toEqual(['visitor']);
    // The message is left for the catch-up, which answers it once the log works again.
    expect((await desk.catchUp()).answered).toBe(1);
    const events = await desk.events('acme', c.id);
    expect(events.at(-1)?.type).toBe('message.completed');
    expect(events.filter((e) => e.type === 'message.delta').length).toBeGreaterThan(0);
    expect((await desk.messages('acme', c.id)).map((m) => m.role)).toEqual(['visitor', 'assistant']);
  });
});
