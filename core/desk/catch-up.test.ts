import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contract/store.js';
import type { DeskService } from './desk-service.js';
import { openDeskFixture, type DeskFixture } from './desk-fixture.testing.js';
import type { FakeDeskEngine } from './fake-desk-engine.testing.js';

const tick = () => new Promise((r) => setTimeout(r, 3)); // distinct created_at timestamps

describe('desk catch-up', () => {
  let fixture: DeskFixture;
  let store: Store;
  let engine: FakeDeskEngine;
  let desk: DeskService;
  beforeEach(async () => {
    fixture = await openDeskFixture(['acme', 'globex']);
    ({ store, engine, desk } = fixture);
  });
  afterEach(() => fixture.close());

  /** A new conversation whose visitor message the engine refuses; returns the conversation and message ids. */
  async function refused(text: string, tenant = 'acme') {
    engine.capacity = 0;
    const conversation = await desk.startConversation(tenant);
    const { message, done } = await desk.postVisitorMessage(tenant, conversation.id, text);
    await done;
    await tick();
    return { conversationId: conversation.id, messageId: message.id };
  }

  const draftedMessages = async (tenant = 'acme') =>
    (await store.desk.drafts(tenant)).map((d) => d.messageId).sort();

  it('drafts refused messages of every tenant once the engine accepts again, once only', async () => {
    const a = await refused('How do I reset my password?');
    const b = await refused('Where is my invoice?');
    const g = await refused('Can I export data?', 'globex');
    expect(await store.desk.drafts('acme')).toEqual([]);
    engine.capacity = Infinity;
    expect(await desk.catchUp()).toEqual({ found: 3, answered: 3, skipped: 0, failed: 0, busy: false });
    // Newest first, across tenants.
    expect(engine.asks.map((q) => q.input.question)).toEqual([
      'Can I export data?',
      'Where is my invoice?',
      'How do I reset my password?',
    ]);
    expect(await draftedMessages()).toEqual([a.messageId, b.messageId].sort());
    expect(await draftedMessages('globex')).toEqual([g.messageId]);
    expect(await desk.catchUp()).toMatchObject({ found: 0, answered: 0 });
    expect(engine.asks).toHaveLength(3);
  });

  it('replies to the visitor in auto mode', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto' });
    const a = await refused('How do I reset my password?');
    engine.capacity = Infinity;
    await desk.catchUp({ tenant: 'acme' });
    const messages = await desk.messages('acme', a.conversationId);
    expect(messages.map((m) => m.role)).toEqual(['visitor', 'assistant']);
    expect(messages[1]!.text).toBe(engine.next.answer);
  });

  it('stops when the engine refuses again and goes on at the next recovery', async () => {
    const sent: string[] = [];
    for (let i = 1; i <= 5; i += 1) sent.push((await refused(`question ${i}`)).messageId);
    engine.capacity = 2;
    expect(await desk.catchUp({ concurrency: 1 })).toEqual({
      found: 5,
      answered: 2,
      skipped: 0,
      failed: 0,
      busy: true,
    });
    expect(engine.asks.map((q) => q.input.question)).toEqual(['question 5', 'question 4']);
    expect(await draftedMessages()).toEqual([sent[4], sent[3]].sort());
    engine.capacity = Infinity;
    expect(await desk.catchUp()).toMatchObject({ found: 3, answered: 3, busy: false });
    expect(await draftedMessages()).toEqual([...sent].sort());
  });

  it('leaves messages older than the cut-off to a person', async () => {
    await refused('an old question');
    await tick();
    engine.capacity = Infinity;
    expect(await desk.catchUp({ maxAgeMs: 1 })).toMatchObject({ found: 0, answered: 0 });
    expect(engine.asks).toEqual([]);
  });

  it('answers only the latest message when the visitor writes during the sweep', async () => {
    const first = await refused('first conversation');
    const second = await refused('hello?');
    engine.capacity = Infinity;
    let release = () => {};
    engine.gate = new Promise<void>((resolve) => (release = resolve));
    // One at a time: the sweep holds the newest conversation in the engine while the first visitor writes again.
    const sweep = desk.catchUp({ concurrency: 1 });
    await until(() => engine.asks.length === 1);
    expect(engine.asks[0]!.input.question).toBe('hello?');
    const again = await desk.postVisitorMessage('acme', first.conversationId, 'are you there?');
    await until(() => engine.asks.length === 2);
    release();
    engine.gate = null;
    expect(await sweep).toEqual({ found: 2, answered: 1, skipped: 1, failed: 0, busy: false });
    await again.done;
    expect(engine.asks.map((q) => q.input.question)).toEqual(['hello?', 'are you there?']);
    expect(engine.asks[1]!.input.history).toEqual([{ role: 'visitor', text: 'first conversation' }]);
    expect(await draftedMessages()).toEqual([second.messageId, again.message.id].sort());
  });

  it('does not answer twice a message whose own run is still in the engine', async () => {
    engine.capacity = Infinity;
    let release = () => {};
    engine.gate = new Promise<void>((resolve) => (release = resolve));
    const conversation = await desk.startConversation('acme');
    const posted = await desk.postVisitorMessage('acme', conversation.id, 'still thinking?');
    await until(() => engine.asks.length === 1);
    const sweep = desk.catchUp();
    await tick();
    release();
    expect(await sweep).toEqual({ found: 1, answered: 0, skipped: 1, failed: 0, busy: false });
    await posted.done;
    expect(engine.asks).toHaveLength(1);
    expect(await draftedMessages()).toEqual([posted.message.id]);
  });

  it('runs one sweep for calls that come while it runs, then once more', async () => {
    await refused('first');
    engine.capacity = Infinity;
    let release = () => {};
    engine.gate = new Promise<void>((resolve) => (release = resolve));
    const sweep = desk.catchUp();
    await until(() => engine.asks.length === 1);
    // Refused while the sweep runs: the second call's rerun picks it up.
    engine.capacity = 0;
    const late = await refused('refused during the sweep');
    engine.capacity = Infinity;
    const coalesced = desk.catchUp();
    release();
    engine.gate = null;
    const report = await sweep;
    expect(await coalesced).toBe(report);
    expect(report).toMatchObject({ found: 2, answered: 2, busy: false });
    expect(await draftedMessages()).toContain(late.messageId);
    expect(engine.asks).toHaveLength(2);
  });

  it('stops feeding the engine when the server stops', async () => {
    for (let i = 1; i <= 3; i += 1) await refused(`question ${i}`);
    engine.capacity = Infinity;
    const stop = new AbortController();
    stop.abort(new Error('the server is stopping'));
    expect(await desk.catchUp({ signal: stop.signal })).toMatchObject({ found: 3, answered: 0 });
    expect(engine.asks).toEqual([]);
  });
});

/** Waits (a few event-loop turns at a time) until `ready` holds; fails the test after 2 s. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the desk');
    await new Promise((r) => setTimeout(r, 1));
  }
}
