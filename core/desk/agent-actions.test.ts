import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeskEvent } from '../contract/desk-api.js';
import type { Store } from '../contract/store.js';
import { citedIn } from './agent-actions.js';
import { DeskService, handoffText } from './desk-service.js';
import { openDeskFixture, type DeskFixture } from './desk-fixture.testing.js';
import { FakeDeskEngine } from './fake-desk-engine.testing.js';

describe('desk service: agent actions', () => {
  let fixture: DeskFixture;
  let store: Store;
  let engine: FakeDeskEngine;
  let desk: DeskService;
  let events: DeskEvent[];

  beforeEach(async () => {
    fixture = await openDeskFixture(['acme', 'globex']);
    ({ store, engine, desk } = fixture);
    events = [];
    desk.deskEvents.subscribe('acme', (e) => events.push(e));
  });
  afterEach(() => fixture.close());

  /** A widget conversation with one visitor message the engine has drafted a reply to. */
  async function drafted(text = 'How do I reset my password?') {
    const conversation = await desk.startConversation('acme', { name: 'Ada' });
    const { message, done } = await desk.postVisitorMessage('acme', conversation.id, text);
    await done;
    const [draft] = await desk.drafts('acme', { conversationId: conversation.id });
    return { conversation, message, draft: draft! };
  }

  it('drafts with the unsupported sentences and minutes elapsed, and tells the console after storing', async () => {
    engine.next = { answer: 'Open Settings. It takes 2 days.', unsupported: ['It takes 2 days.'] };
    const { conversation, draft } = await drafted();
    expect(draft.unsupported).toEqual(['It takes 2 days.']);
    expect(draft.status).toBe('pending');
    expect(engine.asks[0]!.input.minutesElapsed).toBeGreaterThanOrEqual(0);
    expect(engine.asks[0]!.input.audience).toEqual({ kind: 'public' });
    expect(events.map((e) => e.type)).toEqual(['conversation', 'draft']);
    const first = events[0]!;
    expect(first.type === 'conversation' && first.data.change).toBe('message');
    expect(first.type === 'conversation' && first.data.summary.unread).toBe(1);
    expect(events[1]!.data).toEqual({ conversationId: conversation.id, draftId: draft.id });
  });

  it('sends an approved draft to the widget, marks it sent and remembers it as approved', async () => {
    const { conversation, message, draft } = await drafted();
    const reply = await desk.agent.reply('acme', conversation.id, {
      text: draft.text,
      draftId: draft.id,
      agent: 'Grace',
    });
    expect(reply.role).toBe('agent');
    const log = await desk.events('acme', conversation.id);
    expect(log.at(-1)).toMatchObject({
      type: 'message.completed',
      data: { role: 'agent', text: draft.text },
    });
    expect((await desk.drafts('acme', { conversationId: conversation.id }))[0]!.status).toBe('sent');
    expect(engine.remembered).toEqual([
      { tenant: 'acme', question: message.text, answer: draft.text, origin: 'approved' },
    ]);
    const summary = await store.conversations.summary('acme', conversation.id);
    expect(summary).toMatchObject({ unread: 0, hasDraft: false, lastMessage: { role: 'agent' } });
    await expect(
      desk.agent.reply('acme', conversation.id, { text: 'again', draftId: draft.id, agent: 'Grace' }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('remembers an edited draft as agent_written, and skips memory silently when it is off', async () => {
    const { conversation, draft } = await drafted();
    await desk.agent.reply('acme', conversation.id, {
      text: `${draft.text} Then click Reset.`,
      draftId: draft.id,
      agent: 'Grace',
    });
    expect(engine.remembered.map((r) => r.origin)).toEqual(['agent_written']);

    const offEngine = new FakeDeskEngine(false);
    const off = new DeskService({ store, engine: offEngine });
    const c = await off.startConversation('acme');
    await (
      await off.postVisitorMessage('acme', c.id, 'Where is my parcel?')
    ).done;
    const [d] = await off.drafts('acme', { conversationId: c.id });
    await expect(
      off.agent.reply('acme', c.id, { text: d!.text, draftId: d!.id, agent: 'G' }),
    ).resolves.toMatchObject({
      role: 'agent',
    });
    expect(offEngine.remembered).toEqual([]);
  });

  it('regenerates: a new draft for the latest visitor message, the old one discarded', async () => {
    const { conversation, draft } = await drafted();
    await desk.postVisitorMessage('acme', conversation.id, 'It still fails').then((r) => r.done);
    engine.next = { answer: 'Try a private window.' };
    const fresh = await desk.agent.regenerate('acme', conversation.id);
    expect(fresh.text).toBe('Try a private window.');
    const last = engine.asks.at(-1)!.input;
    expect(last.question).toBe('It still fails');
    expect(last.history?.map((h) => h.role)).toEqual(['visitor']);
    const all = await desk.drafts('acme', { conversationId: conversation.id });
    expect(all.filter((d) => d.status === 'pending').map((d) => d.id)).toEqual([fresh.id]);
    expect(all.find((d) => d.id === draft.id)!.status).toBe('discarded');
    const empty = await desk.startConversation('acme');
    await expect(desk.agent.regenerate('acme', empty.id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('escalates: pending_human, an escalation, the handoff notice in the widget log, the note', async () => {
    const { conversation } = await drafted();
    events.length = 0;
    const escalation = await desk.agent.escalate('acme', conversation.id, {
      agent: 'Grace',
      priority: 'high',
      note: 'billing specialist please',
    });
    expect(escalation).toMatchObject({ priority: 'high', reasons: [], status: 'open' });
    expect((await desk.conversation('acme', conversation.id)).status).toBe('pending_human');
    const log = await desk.events('acme', conversation.id);
    expect(log.slice(-2).map((e) => e.type)).toEqual(['message.completed', 'conversation.handoff']);
    expect(log.at(-2)!.data).toMatchObject({ role: 'system', text: handoffText });
    expect(log.at(-1)!.data).toMatchObject({ status: 'pending_human', priority: 'high' });
    expect((await store.desk.notes('acme', conversation.id)).map((n) => [n.author, n.text])).toEqual([
      ['Grace', 'billing specialist please'],
    ]);
    expect(events.map((e) => e.type)).toEqual(['escalation', 'conversation', 'conversation']);
    // A second escalation while a person is already called does not tell the visitor again.
    await desk.agent.escalate('acme', conversation.id, { agent: 'Grace', priority: 'urgent' });
    expect((await desk.events('acme', conversation.id)).length).toBe(log.length);
  });

  it('assigns (escalations follow), unassigns, notes, reads and resolves', async () => {
    const { conversation } = await drafted();
    await desk.agent.escalate('acme', conversation.id, { agent: 'Grace', priority: 'medium' });
    expect((await desk.agent.assign('acme', conversation.id, 'Grace')).assignee).toBe('Grace');
    expect((await desk.escalations('acme', { conversationId: conversation.id }))[0]!.status).toBe('assigned');
    await desk.agent.assign('acme', conversation.id, null);
    expect((await desk.escalations('acme', { conversationId: conversation.id }))[0]!.status).toBe('open');
    expect((await desk.agent.read('acme', conversation.id)).unread).toBe(0);
    const resolved = await desk.agent.resolve('acme', conversation.id);
    expect(resolved).toMatchObject({ status: 'resolved', priority: null, hasDraft: false });
    expect((await desk.events('acme', conversation.id)).at(-1)!.type).toBe('conversation.resolved');
    const changes = events.flatMap((e) => (e.type === 'conversation' ? [e.data.change] : []));
    expect(changes).toEqual(expect.arrayContaining(['assignment', 'read', 'status']));
  });

  it('hands off only for the reasons the tenant chose; other escalations only flag the draft', async () => {
    await desk.updateSettings('acme', { handoffReasons: ['human_requested'] });
    engine.next = {
      answer: 'I am not sure.',
      escalation: { escalate: true, priority: 'low', reasons: ['low_confidence'] },
    };
    const flagged = await drafted('what is the meaning of life');
    expect(flagged.draft).toMatchObject({ escalate: true, reasons: ['low_confidence'] });
    expect((await desk.conversation('acme', flagged.conversation.id)).status).toBe('open');
    expect(await desk.escalations('acme', { conversationId: flagged.conversation.id })).toEqual([]);

    engine.next = {
      answer: 'Let me get someone.',
      escalation: { escalate: true, priority: 'high', reasons: ['human_requested', 'low_confidence'] },
    };
    const handed = await drafted('let me talk to a human');
    expect((await desk.conversation('acme', handed.conversation.id)).status).toBe('pending_human');
    const log = await desk.events('acme', handed.conversation.id);
    expect(log.map((e) => e.type)).toContain('conversation.handoff');
  });

  it('keeps other tenants out: a conversation of acme is not found in globex', async () => {
    const { conversation } = await drafted();
    await expect(desk.agent.note('globex', conversation.id, 'G', 'x')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(desk.inbox.detail('globex', conversation.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('sends the visitor only the sources the sent text still cites', () => {
    const sources = [1, 2, 3].map((n) => ({ docId: `d${n}`, title: `Doc ${n}`, quote: `q${n}` }));
    expect(citedIn('Open Settings [1]. Click Reset [3].', sources).map((c) => c.docId)).toEqual(['d1', 'd3']);
    expect(citedIn('I rewrote it all, no markers.', sources)).toEqual([]);
    expect(citedIn('A stray [7] and [2]', sources).map((c) => c.docId)).toEqual(['d2']);
  });

  it('tells the console about a rating after it is stored', async () => {
    const { conversation } = await drafted();
    events.length = 0;
    await desk.rate('acme', conversation.id, 4, 'quick');
    expect(events.map((e) => e.type === 'conversation' && e.data.change)).toEqual(['csat']);
    expect((await store.desk.csat('acme', conversation.id))?.rating).toBe(4);
  });

  it("gives the visitor a cited web document's address, and a file's none", async () => {
    engine.next = { answer: 'Open Settings [1].', url: 'https://wiki.corp.local/pages/7' };
    const web = await drafted();
    expect(web.draft.citations[0]?.url).toBe('https://wiki.corp.local/pages/7');
    engine.next = { answer: 'Open Settings [1].' };
    const file = await drafted();
    expect(file.draft.citations[0]).not.toHaveProperty('url');
  });
});
