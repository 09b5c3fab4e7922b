import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVisitorSecret, VisitorTokens } from '../desk/index.js';
import { has, openWidgetTestServer, type WidgetTestServer } from './widget-app.testing.js';

let w: WidgetTestServer;
let store: WidgetTestServer['store'];
let desk: WidgetTestServer['desk'];
let base: WidgetTestServer['base'];
let globexKey: WidgetTestServer['globexKey'];
let home: WidgetTestServer['home'];

beforeAll(async () => {
  w = await openWidgetTestServer();
  ({ store, desk, base, globexKey, home } = w);
}, 60_000);
afterAll(async () => w?.close());

const headers: WidgetTestServer['headers'] = (extra) => w.headers(extra);
const start: WidgetTestServer['start'] = (visitor) => w.start(visitor);
const post: WidgetTestServer['post'] = (conversationId, token, route, body) =>
  w.post(conversationId, token, route, body);
const readEvents: WidgetTestServer['readEvents'] = (conversationId, token, until, lastEventId) =>
  w.readEvents(conversationId, token, until, lastEventId);

describe('widget API: bad input', () => {
  it('a token of another conversation is 403 and reads nothing; a forged one 401', async () => {
    const a = await start();
    const b = await start();
    await post(a.conversationId, a.visitorToken, 'messages', { text: 'secret of a' });
    const read = await fetch(`${base}/v1/conversations/${a.conversationId}/messages`, {
      headers: headers({ 'x-visitor-token': b.visitorToken }),
    });
    expect(read.status).toBe(403);
    expect(JSON.stringify(await read.json())).not.toContain('secret of a');
    expect((await post(a.conversationId, b.visitorToken, 'messages', { text: 'hi' })).status).toBe(403);
    const events = await fetch(`${base}/v1/conversations/${a.conversationId}/events`, {
      headers: headers({ 'x-visitor-token': b.visitorToken }),
    });
    expect(events.status).toBe(403);
    const forged = `${a.visitorToken.split('.')[0]}.AAAA`;
    expect((await post(a.conversationId, forged, 'messages', { text: 'hi' })).status).toBe(401);
    expect((await post(a.conversationId, '', 'messages', { text: 'hi' })).status).toBe(401);
    await desk.idle();
  });

  it('unknown fields and malformed JSON are 400, oversized bodies 413, and nothing is stored', async () => {
    const { conversationId, visitorToken } = await start();
    const unknown = await post(conversationId, visitorToken, 'messages', { text: 'hi', admin: true });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('invalid_input');
    expect((await post(conversationId, visitorToken, 'messages', '{"text": ')).status).toBe(400);
    expect((await post(conversationId, visitorToken, 'messages', { text: 'x'.repeat(4001) })).status).toBe(
      400,
    );
    expect((await post(conversationId, visitorToken, 'messages', { text: '\u0000\u0001' })).status).toBe(400);
    const big = await post(conversationId, visitorToken, 'messages', { text: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('too_large');
    const extraVisitor = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ visitor: { name: 'x', role: 'admin' } }),
    });
    expect(extraVisitor.status).toBe(400);
    expect(await desk.messages('acme', conversationId)).toEqual([]);
  });

  it('a flood from one visitor gets 429 with Retry-After', async () => {
    const { conversationId, visitorToken } = await start();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${base}/v1/conversations/${conversationId}/messages`, {
        headers: headers({ 'x-visitor-token': visitorToken }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('an expired visitor token is 403', async () => {
    const { conversationId } = await start();
    const past = new VisitorTokens(loadVisitorSecret(home), 1000, () => Date.now() - 60_000);
    const expired = past.issue('acme', conversationId);
    const res = await post(conversationId, expired, 'messages', { text: 'hi' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('a flood on one key gets 429 with Retry-After', async () => {
    const { buildWidgetApp } = await import('./widget-app.js');
    const { createMetrics } = await import('./metrics.js');
    const app = await buildWidgetApp({
      store,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      widget: { desk, tokens: new VisitorTokens(loadVisitorSecret(home)) },
      limits: { perKey: { capacity: 3, refillPerSecond: 0.1 } },
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 5; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/conversations',
          headers: headers(),
          payload: '{}',
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) retryAfter = String(res.headers['retry-after']);
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // another key is not held back by this one's flood
      const globex = await app.inject({
        method: 'POST',
        url: '/v1/conversations',
        headers: { ...headers(), authorization: `Bearer ${globexKey}`, origin: 'http://globex.local' },
        payload: '{}',
      });
      expect(globex.statusCode).toBe(201);
    } finally {
      await app.close();
    }
  });

  it('a client that disconnects before the reply loses nothing: it resumes and gets the whole reply', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto', autoReplyThreshold: 0 });
    try {
      const { conversationId, visitorToken } = await start();
      // connected, nothing yet; leaves at once
      const none = await readEvents(conversationId, visitorToken, () => true);
      expect(none).toEqual([]);
      await post(conversationId, visitorToken, 'messages', { text: 'How long does express shipping take?' });
      await desk.idle(); // the reply is written while nobody listens
      const events = await readEvents(conversationId, visitorToken, has('message.completed'), 0);
      const completed = events.find((e) => e.event === 'message.completed')!;
      expect(
        events
          .filter((e) => e.event === 'message.delta')
          .map((e) => e.data.delta)
          .join(''),
      ).toBe(completed.data.text);
    } finally {
      await desk.updateSettings('acme', { replyMode: 'draft', autoReplyThreshold: 0.75 });
    }
  });
});
