import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../contract/store.js';
import { loadVisitorSecret, openDesk, VisitorTokens } from '../desk/index.js';
import { handoffText, type DeskService } from '../desk/desk-service.js';
import { createWidgetKey } from '../desk/widget-keys.js';
import { runIngest } from '../knowledge/pipeline/ingest-run.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer, type RunningServer } from './server.js';

const site = 'http://intranet.local';
const docs: Record<string, string> = {
  'shipping.md': `# Shipping

## Delivery times
Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day if ordered before 2 pm.
`,
  'password.md': `# Reset your password

## Steps
1. Open Settings and choose Security.
2. Click Reset password.
3. Enter the six-digit code we email to you.
`,
};

interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

let t: ReturnType<typeof tempDir>;
let store: Store;
let server: RunningServer;
let desk: DeskService;
let closeAnswers: () => Promise<void>;
let base: string;
let key: string;
let globexKey: string;
let home: string;

beforeAll(async () => {
  t = tempDir();
  home = path.join(t.dir, 'home');
  store = openSqliteStore(home);
  await store.tenants.create({ id: 'acme' });
  await store.tenants.create({ id: 'globex' });
  const answers = await openTestAnswerDesk(store, null);
  closeAnswers = answers.close;
  const folder = path.join(t.dir, 'kb');
  fs.mkdirSync(folder);
  for (const [name, text] of Object.entries(docs)) fs.writeFileSync(path.join(folder, name), text);
  await runIngest(answers.kb, { tenant: 'acme', paths: [folder], source: 'help' });
  for (const doc of await store.knowledge.listDocuments('acme'))
    await answers.kb.setPublic('acme', doc.id, true);
  const widget = openDesk({ home, store, engine: answers.desk.engine });
  desk = widget.desk;
  key = (await createWidgetKey(store, 'acme', [site, 'http://other.local/'])).key;
  globexKey = (await createWidgetKey(store, 'globex', ['http://globex.local'])).key;
  server = await startServer({
    store,
    answers: answers.desk,
    widget,
    widgetLimits: { perVisitor: { capacity: 8, refillPerSecond: 0.2 } },
    logger: pino({ level: 'silent' }),
    consolePort: 0,
    widgetPort: 0,
    widgetHost: '127.0.0.1',
    consoleToken: 'widget-test-token-0123456789',
  });
  base = server.listening.widget;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await closeAnswers?.();
  await store?.close();
  t?.cleanup();
});

const headers = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${key}`,
  origin: site,
  'content-type': 'application/json',
  ...extra,
});

async function start(visitor?: Record<string, string>) {
  const res = await fetch(`${base}/v1/conversations`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify(visitor ? { visitor } : {}),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { conversationId: string; visitorToken: string };
}

function post(conversationId: string, token: string, route: string, body: unknown) {
  return fetch(`${base}/v1/conversations/${conversationId}/${route}`, {
    method: 'POST',
    headers: headers({ 'x-visitor-token': token }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Reads the SSE stream until `until` holds (or 20 s), then disconnects. */
async function readEvents(
  conversationId: string,
  token: string,
  until: (events: SseEvent[]) => boolean,
  lastEventId?: number,
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 20_000);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(`${base}/v1/conversations/${conversationId}/events`, {
      headers: {
        ...headers({ 'x-visitor-token': token }),
        ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}),
      },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (fields.event && fields.id && fields.data) {
          events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) as never });
        }
      }
    }
    abort.abort();
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

const has = (type: string) => (events: SseEvent[]) => events.some((e) => e.event === type);

describe('widget API: keys, origins, CORS', () => {
  it('answers preflights only for allowed origins', async () => {
    const ok = await fetch(`${base}/v1/conversations`, {
      method: 'OPTIONS',
      headers: { origin: site, 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(site);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/X-Visitor-Token/i);
    const bad = await fetch(`${base}/v1/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a wrong key (401), a foreign origin (403) and another tenant key origin (403)', async () => {
    const wrongKey = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ authorization: 'Bearer pk_nope' }),
      body: '{}',
    });
    expect(wrongKey.status).toBe(401);
    expect(((await wrongKey.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const noKey = await fetch(`${base}/v1/conversations`, { method: 'POST', headers: { origin: site } });
    expect(noKey.status).toBe(401);
    const wrongOrigin = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ origin: 'http://evil.example' }),
      body: '{}',
    });
    expect(wrongOrigin.status).toBe(403);
    const globexFromAcme = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ authorization: `Bearer ${globexKey}` }),
      body: '{}',
    });
    expect(globexFromAcme.status).toBe(403);
    // the normalised origin (trailing slash dropped) is accepted
    const other = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ origin: 'http://other.local' }),
      body: '{}',
    });
    expect(other.status).toBe(201);
    expect(other.headers.get('access-control-allow-origin')).toBe('http://other.local');
  });

  it('serves /healthz, and widget.js or a clear 404 when it is not built', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    const script = await fetch(`${base}/widget.js`);
    if (fs.existsSync(path.join(process.cwd(), 'dist', 'widget', 'widget.js'))) {
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(script.headers.get('cache-control')).toMatch(/max-age=/);
    } else {
      expect(script.status).toBe(404);
      expect(((await script.json()) as { error: { message: string } }).error.message).toMatch(/not built/);
    }
  });
});

describe('widget.js', () => {
  it('is served from the build folder as JavaScript with a short cache, or 404 with what to do', async () => {
    const { buildWidgetApp } = await import('./widget-app.js');
    const { createMetrics } = await import('./metrics.js');
    const dir = path.join(t.dir, 'widget-build');
    const app = await buildWidgetApp({
      store,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      widgetDir: dir,
    });
    try {
      const missing = await app.inject({ method: 'GET', url: '/widget.js' });
      expect(missing.statusCode).toBe(404);
      const body = missing.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toMatch(/npm run build/);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'widget.js'), 'window.airdeskWidget = 1;');
      const script = await app.inject({ method: 'GET', url: '/widget.js' });
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(script.headers['cache-control']).toMatch(/max-age=300/);
      expect(script.body).toBe('window.airdeskWidget = 1;');
      // without a desk the widget listener has no /v1 API
      expect((await app.inject({ method: 'POST', url: '/v1/conversations', payload: {} })).statusCode).toBe(
        404,
      );
    } finally {
      await app.close();
    }
  });
});

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
