import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffText } from '../desk/desk-service.js';
import { has, openWidgetTestServer, type WidgetTestServer } from './widget-app.testing.js';

let w: WidgetTestServer;
let store: WidgetTestServer['store'];
let desk: WidgetTestServer['desk'];
let base: WidgetTestServer['base'];

beforeAll(async () => {
  w = await openWidgetTestServer();
  ({ store, desk, base } = w);
}, 60_000);
afterAll(async () => w?.close());

const headers: WidgetTestServer['headers'] = (extra) => w.headers(extra);
const start: WidgetTestServer['start'] = (visitor) => w.start(visitor);
const post: WidgetTestServer['post'] = (conversationId, token, route, body) =>
  w.post(conversationId, token, route, body);
const readEvents: WidgetTestServer['readEvents'] = (conversationId, token, until, lastEventId) =>
  w.readEvents(conversationId, token, until, lastEventId);

describe('widget API: conversations', () => {
  it('draft mode (the default): the visitor message is kept, a draft is stored for agents, nothing is sent', async () => {
    expect((await desk.settings('acme')).replyMode).toBe('draft');
    const { conversationId, visitorToken } = await start({ name: 'Ann' });
    const res = await post(conversationId, visitorToken, 'messages', {
      text: 'How long does standard shipping take?',
    });
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    await desk.idle();
    const drafts = await desk.drafts('acme', { conversationId });
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ messageId, status: 'pending' });
    expect(drafts[0]!.text).toMatch(/3 to 5 business days/);
    const list = await fetch(`${base}/v1/conversations/${conversationId}/messages`, {
      headers: headers({ 'x-visitor-token': visitorToken }),
    });
    const body = (await list.json()) as { status: string; messages: { role: string }[] };
    expect(body.status).toBe('open');
    expect(body.messages.map((m) => m.role)).toEqual(['visitor']);
  });

  it('auto mode: a confident reply streams as deltas then completes with citations; resume loses nothing', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto', autoReplyThreshold: 0 });
    try {
      const { conversationId, visitorToken } = await start();
      const res = await post(conversationId, visitorToken, 'messages', {
        text: 'How long does standard shipping take?',
      });
      expect(res.status).toBe(202);
      const events = await readEvents(conversationId, visitorToken, has('message.completed'));
      const completed = events.find((e) => e.event === 'message.completed')!;
      expect(completed.data).toMatchObject({ role: 'assistant' });
      expect(completed.data.text).toMatch(/3 to 5 business days/);
      expect((completed.data.citations as { title: string }[])[0]?.title).toMatch(/Shipping/);
      const deltas = events.filter((e) => e.event === 'message.delta');
      expect(deltas.map((d) => d.data.delta).join('')).toBe(completed.data.text);
      // ids increase; a client that left after the first event resumes with the rest, no duplicates
      const ids = events.map((e) => e.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const first = ids[0]!;
      const resumed = await readEvents(conversationId, visitorToken, has('message.completed'), first);
      expect(resumed.map((e) => e.id)).toEqual(ids.slice(1));
      // a second message: a stream resumed from the end sees only the new events
      await post(conversationId, visitorToken, 'messages', { text: 'How do I reset my password?' });
      const later = await readEvents(conversationId, visitorToken, has('message.completed'), ids.at(-1));
      expect(later.every((e) => e.id > ids.at(-1)!)).toBe(true);
      expect(later.find((e) => e.event === 'message.completed')!.data.text).toMatch(
        /Reset password|Security/,
      );
      const list = await fetch(`${base}/v1/conversations/${conversationId}/messages`, {
        headers: headers({ 'x-visitor-token': visitorToken }),
      });
      const body = (await list.json()) as { messages: { role: string; citations?: unknown[] }[] };
      expect(body.messages.map((m) => m.role)).toEqual(['visitor', 'assistant', 'visitor', 'assistant']);
      expect(body.messages[1]!.citations?.length).toBeGreaterThan(0);
    } finally {
      await desk.updateSettings('acme', { replyMode: 'draft', autoReplyThreshold: 0.75 });
    }
  });

  it('escalation: pending_human, an escalation row, a system message and a handoff event', async () => {
    const { conversationId, visitorToken } = await start();
    const res = await post(conversationId, visitorToken, 'messages', { text: 'I want to talk to a person' });
    expect(res.status).toBe(202);
    const events = await readEvents(conversationId, visitorToken, has('conversation.handoff'));
    const handoff = events.find((e) => e.event === 'conversation.handoff')!;
    expect(handoff.data).toMatchObject({ status: 'pending_human' });
    expect(handoff.data.reasons).toContain('human_requested');
    expect(events.find((e) => e.event === 'message.completed')!.data).toMatchObject({
      role: 'system',
      text: handoffText,
    });
    expect((await desk.conversation('acme', conversationId)).status).toBe('pending_human');
    const escalations = await desk.escalations('acme', { conversationId });
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.reasons).toContain('human_requested');
    expect(['urgent', 'high', 'medium', 'low']).toContain(escalations[0]!.priority);
    // an agent resolves it: the visitor hears conversation.resolved and the escalation closes
    await desk.resolve('acme', conversationId);
    const after = await readEvents(conversationId, visitorToken, has('conversation.resolved'), handoff.id);
    expect(after.map((e) => e.event)).toEqual(['conversation.resolved']);
    expect((await desk.escalations('acme', { conversationId }))[0]!.status).toBe('closed');
  });

  it('stores script tags verbatim as text and strips control characters', async () => {
    const { conversationId, visitorToken } = await start();
    const text = '<script>alert(1)</script>\u0000hi\u0007\r\nthere\tok';
    expect((await post(conversationId, visitorToken, 'messages', { text })).status).toBe(202);
    await desk.idle();
    const messages = await desk.messages('acme', conversationId);
    expect(messages[0]!.text).toBe('<script>alert(1)</script>hi\nthere\tok');
  });

  it('takes a CSAT rating (204) and refuses one out of range', async () => {
    const { conversationId, visitorToken } = await start();
    expect((await post(conversationId, visitorToken, 'csat', { rating: 5, comment: 'great' })).status).toBe(
      204,
    );
    expect(await store.desk.csat('acme', conversationId)).toMatchObject({ rating: 5, comment: 'great' });
    expect((await post(conversationId, visitorToken, 'csat', { rating: 6 })).status).toBe(400);
  });
});
