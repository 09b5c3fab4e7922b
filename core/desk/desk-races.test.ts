import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handoffText, type DeskService } from './desk-service.js';
import { openDeskFixture, type DeskFixture } from './desk-fixture.testing.js';
import type { FakeDeskEngine } from './fake-desk-engine.testing.js';

/** A gate the fake engine waits on, opened by the test. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Waits until `check` holds (an engine run reached a point), or gives up after a while. */
async function until(check: () => boolean, ms = 500): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

/** What happens when agents act while the engine is still drafting. */
describe('desk service: agent actions racing the engine', () => {
  let fixture: DeskFixture;
  let engine: FakeDeskEngine;
  let desk: DeskService;

  beforeEach(async () => {
    fixture = await openDeskFixture(['acme']);
    ({ engine, desk } = fixture);
  });
  afterEach(() => fixture.close());

  /** Posts a visitor message whose engine run waits in the engine until the returned gate opens. */
  async function held(conversationId: string, text: string) {
    const g = gate();
    engine.gate = g.promise;
    const asked = engine.asks.length;
    const { message, done } = await desk.postVisitorMessage('acme', conversationId, text);
    await until(() => engine.asks.length > asked);
    engine.gate = null;
    return { message, done, release: g.open };
  }

  it('an escalating draft that comes back after Resolve neither reopens the conversation nor hands off', async () => {
    const c = await desk.startConversation('acme');
    engine.next = {
      answer: 'Let me get someone.',
      escalation: { escalate: true, priority: 'high', reasons: ['human_requested'] },
    };
    const run = await held(c.id, 'I want a human');
    await desk.agent.resolve('acme', c.id);
    run.release();
    await run.done;
    expect((await desk.conversation('acme', c.id)).status).toBe('resolved');
    expect(await desk.escalations('acme', { conversationId: c.id })).toEqual([]);
    expect((await desk.messages('acme', c.id)).map((m) => m.text)).not.toContain(handoffText);
    // Kept for the record, but nobody will send it.
    const drafts = await desk.drafts('acme', { conversationId: c.id });
    expect(drafts.map((d) => d.status)).toEqual(['discarded']);
  });

  it('in auto mode sends no AI reply to a conversation resolved, or answered by an agent, meanwhile', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto' });
    const resolved = await desk.startConversation('acme');
    const a = await held(resolved.id, 'How do I reset my password?');
    await desk.agent.resolve('acme', resolved.id);
    a.release();
    await a.done;
    expect((await desk.messages('acme', resolved.id)).map((m) => m.role)).toEqual(['visitor']);

    const answered = await desk.startConversation('acme');
    const b = await held(answered.id, 'How do I reset my password?');
    await desk.agent.reply('acme', answered.id, { text: 'Open Settings, then Security.', agent: 'Grace' });
    b.release();
    await b.done;
    expect((await desk.messages('acme', answered.id)).map((m) => m.role)).toEqual(['visitor', 'agent']);
    expect((await desk.drafts('acme', { conversationId: answered.id, status: 'pending' })).length).toBe(0);
  });

  it('in auto mode only drafts once an agent works the conversation (assigned, or has written)', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto' });
    const assigned = await desk.startConversation('acme');
    await desk.agent.assign('acme', assigned.id, 'Grace');
    await (
      await desk.postVisitorMessage('acme', assigned.id, 'How do I reset my password?')
    ).done;
    expect((await desk.messages('acme', assigned.id)).map((m) => m.role)).toEqual(['visitor']);
    expect(await desk.drafts('acme', { conversationId: assigned.id, status: 'pending' })).toHaveLength(1);

    const talking = await desk.startConversation('acme');
    await desk.agent.reply('acme', talking.id, { text: 'Hi, Grace here.', agent: 'Grace' });
    await (
      await desk.postVisitorMessage('acme', talking.id, 'How do I reset my password?')
    ).done;
    expect((await desk.messages('acme', talking.id)).map((m) => m.role)).toEqual(['agent', 'visitor']);
    expect(await desk.drafts('acme', { conversationId: talking.id, status: 'pending' })).toHaveLength(1);
  });

  it('regenerate keeps the draft of a newer visitor message and refuses with conflict', async () => {
    const c = await desk.startConversation('acme');
    await (
      await desk.postVisitorMessage('acme', c.id, 'How do I reset my password?')
    ).done;
    // The agent regenerates; the engine holds that draft while the visitor writes again.
    const g = gate();
    engine.gate = g.promise;
    const asked = engine.asks.length;
    const regenerated = desk.agent.regenerate('acme', c.id).then(
      (draft) => ({ draft, error: null }),
      (error: unknown) => ({ draft: null, error }),
    );
    await until(() => engine.asks.length > asked);
    engine.gate = null;
    engine.next = { answer: 'Try a private window.' };
    const newer = await desk.postVisitorMessage('acme', c.id, 'It still fails');
    await until(() => engine.asks.length > asked + 1, 100);
    g.open();
    const outcome = await regenerated;
    await newer.done;
    expect(outcome.error).toMatchObject({ code: 'conflict' });
    const pending = await desk.drafts('acme', { conversationId: c.id, status: 'pending' });
    expect(pending.map((d) => [d.messageId, d.text])).toContainEqual([
      newer.message.id,
      'Try a private window.',
    ]);
  });

  it('regenerate leaves no pending draft when an agent replied while it drafted', async () => {
    const c = await desk.startConversation('acme');
    await (
      await desk.postVisitorMessage('acme', c.id, 'How do I reset my password?')
    ).done;
    const g = gate();
    engine.gate = g.promise;
    const asked = engine.asks.length;
    const regenerated = desk.agent.regenerate('acme', c.id).catch((error: unknown) => error);
    await until(() => engine.asks.length > asked);
    engine.gate = null;
    await desk.agent.reply('acme', c.id, { text: 'Open Settings, then Security.', agent: 'Grace' });
    g.open();
    expect(await regenerated).toMatchObject({ code: 'conflict' });
    expect(await desk.drafts('acme', { conversationId: c.id, status: 'pending' })).toEqual([]);
  });

  /** A conversation whose first message has a pending draft, and a second message held in the engine. */
  async function secondMessageHeld() {
    const c = await desk.startConversation('acme');
    await (
      await desk.postVisitorMessage('acme', c.id, 'How do I reset my password?')
    ).done;
    const [first] = await desk.drafts('acme', { conversationId: c.id, status: 'pending' });
    engine.next = {
      answer: 'Let me get someone.',
      escalation: { escalate: true, priority: 'high', reasons: ['human_requested'] },
    };
    const second = await held(c.id, 'Actually, I want a refund from a person');
    return { c, first: first!, second };
  }

  it("an agent's reply to an earlier message keeps the newer message's draft and its handoff", async () => {
    const { c, first, second } = await secondMessageHeld();
    await desk.agent.reply('acme', c.id, { text: first.text, draftId: first.id, agent: 'Grace' });
    second.release();
    await second.done;
    const pending = await desk.drafts('acme', { conversationId: c.id, status: 'pending' });
    expect(pending.map((d) => d.messageId)).toEqual([second.message.id]);
    expect((await desk.conversation('acme', c.id)).status).toBe('pending_human');
    expect(await desk.escalations('acme', { conversationId: c.id })).toHaveLength(1);
    expect((await desk.messages('acme', c.id)).map((m) => m.text)).toContain(handoffText);
  });

  it("a reply to an earlier message's draft leaves a newer message's pending draft alone", async () => {
    const { c, first, second } = await secondMessageHeld();
    second.release();
    await second.done; // the newer message's draft is stored (and handed off) first
    await desk.agent.reply('acme', c.id, { text: first.text, draftId: first.id, agent: 'Grace' });
    const pending = await desk.drafts('acme', { conversationId: c.id, status: 'pending' });
    expect(pending.map((d) => d.messageId)).toEqual([second.message.id]);
  });

  it('a free-text agent reply after the newer message answers it: no draft kept, no handoff', async () => {
    const { c, second } = await secondMessageHeld();
    await desk.agent.reply('acme', c.id, { text: 'A refund is on its way.', agent: 'Grace' });
    second.release();
    await second.done;
    expect(await desk.drafts('acme', { conversationId: c.id, status: 'pending' })).toEqual([]);
    expect((await desk.conversation('acme', c.id)).status).toBe('open');
    expect(await desk.escalations('acme', { conversationId: c.id })).toEqual([]);
  });
});
