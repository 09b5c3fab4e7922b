import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantRoute } from '../contract/console-api.js';
import {
  agentDraftSchema,
  conversationDetailSchema,
  conversationListSchema,
  conversationRoute,
  createdWidgetKeySchema,
  deskRoutes,
  deskSettingsViewSchema,
  escalationQueueSchema,
  widgetKeyListSchema,
} from '../contract/desk-api.js';
import type { Store } from '../contract/store.js';
import { openDesk } from '../desk/index.js';
import type { DeskService } from '../desk/desk-service.js';
import { FakeDeskEngine } from '../desk/fake-desk-engine.testing.js';
import { packageRoot } from '../package-root.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer, type RunningServer } from './server.js';

const token = 'desk-routes-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };

interface ErrorJson {
  error: { code: string; message: string };
}

describe('desk console routes', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  let engine: FakeDeskEngine;
  let desk: DeskService;
  let server: RunningServer;
  let origin: string;
  let closeAnswers: () => Promise<void>;

  beforeAll(async () => {
    t = tempDir();
    const home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
    const answers = await openTestAnswerDesk(store, null);
    closeAnswers = answers.close;
    engine = new FakeDeskEngine();
    const widget = openDesk({ home, store, engine });
    desk = widget.desk;
    server = await startServer({
      store,
      answers: answers.desk,
      widget,
      logger: pino({ level: 'silent' }),
      consolePort: 0,
      widgetPort: 0,
      widgetHost: '127.0.0.1',
      consoleToken: token,
    });
    origin = new URL(server.listening.console).origin;
  });
  afterAll(async () => {
    await server?.close();
    await closeAnswers?.();
    await store?.close();
    t?.cleanup();
  });

  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(origin + url, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as unknown };
  };
  const conv = (route: string, id: string, tenant = 'acme') => conversationRoute(route, tenant, id);

  async function visitorConversation(text = 'How do I reset my password?') {
    const c = await desk.startConversation('acme', { name: 'Ada' });
    await (
      await desk.postVisitorMessage('acme', c.id, text)
    ).done;
    return c;
  }

  it('lists the inbox with counts, and shows a conversation with its draft', async () => {
    const c = await visitorConversation();
    const list = await call('GET', `${tenantRoute(deskRoutes.conversations, 'acme')}?q=reset&unread=true`);
    expect(list.status).toBe(200);
    const parsed = conversationListSchema.parse(list.json);
    expect(parsed.conversations.map((r) => r.id)).toContain(c.id);
    expect(parsed.counts.unread).toBeGreaterThanOrEqual(1);
    const detail = conversationDetailSchema.parse(
      (await call('GET', conv(deskRoutes.conversation, c.id))).json,
    );
    expect(detail.visitor).toEqual({ name: 'Ada' });
    expect(detail.drafts[0]).toMatchObject({ status: 'pending', text: engine.next.answer });
    const bad = await call('GET', `${tenantRoute(deskRoutes.conversations, 'acme')}?assignment=mine`);
    expect(bad.status).toBe(400);
    expect((bad.json as ErrorJson).error.message).toMatch(/agent=/);
  });

  it('validates bodies: unknown fields, an empty reply, unknown conversations, tenants and drafts', async () => {
    const c = await visitorConversation();
    const unknown = await call('POST', conv(deskRoutes.reply, c.id), { text: 'hi', agent: 'G', cc: 'x' });
    expect(unknown.status).toBe(400);
    const empty = await call('POST', conv(deskRoutes.reply, c.id), { text: '   ', agent: 'G' });
    expect(empty.status).toBe(400);
    expect((empty.json as ErrorJson).error.message).toMatch(/reply is empty/);
    const noAgent = await call('POST', conv(deskRoutes.notes, c.id), { text: 'x' });
    expect(noAgent.status).toBe(400);
    const missing = await call('POST', conv(deskRoutes.resolve, 'no-such-id'), { agent: 'G' });
    expect(missing.status).toBe(404);
    expect((missing.json as ErrorJson).error.message).toMatch(/conversation no-such-id does not exist/);
    const foreign = await call('GET', conv(deskRoutes.conversation, c.id, 'globex'));
    expect(foreign.status).toBe(404); // tenant isolation: acme's conversation is not in globex
    const foreignReply = await call('POST', conv(deskRoutes.reply, c.id, 'globex'), {
      text: 'x',
      agent: 'G',
    });
    expect(foreignReply.status).toBe(404);
    const noTenant = await call('GET', tenantRoute(deskRoutes.conversations, 'initech'));
    expect(noTenant.status).toBe(404);
    expect((noTenant.json as ErrorJson).error.message).toMatch(/tenant "initech" does not exist/);
    const noDraft = await call('POST', conv(deskRoutes.reply, c.id), {
      text: 'x',
      agent: 'G',
      draftId: 'nope',
    });
    expect(noDraft.status).toBe(404);
    expect((noDraft.json as ErrorJson).error.message).toMatch(/draft nope/);
    const unauthenticated = await fetch(origin + tenantRoute(deskRoutes.conversations, 'acme'));
    expect(unauthenticated.status).toBe(401);
  });

  it('replies, regenerates, escalates, assigns, notes, reads and resolves, with audit entries', async () => {
    const c = await visitorConversation();
    const detail = conversationDetailSchema.parse(
      (await call('GET', conv(deskRoutes.conversation, c.id))).json,
    );
    const draftId = detail.drafts[0]!.id;
    const sent = await call('POST', conv(deskRoutes.reply, c.id), {
      text: detail.drafts[0]!.text,
      draftId,
      agent: 'Grace',
    });
    expect(sent.status).toBe(201);
    expect(engine.remembered.at(-1)).toMatchObject({ origin: 'approved' });
    const widgetLog = await desk.events('acme', c.id);
    expect(widgetLog.at(-1)).toMatchObject({ type: 'message.completed', data: { role: 'agent' } });

    const regenerated = await call('POST', conv(deskRoutes.regenerate, c.id), { agent: 'Grace' });
    expect(regenerated.status).toBe(201);
    expect(agentDraftSchema.parse(regenerated.json).status).toBe('pending');

    const escalated = await call('POST', conv(deskRoutes.escalate, c.id), {
      agent: 'Grace',
      priority: 'urgent',
      note: 'needs billing',
    });
    expect(escalated.status).toBe(201);
    const queue = escalationQueueSchema.parse(
      (await call('GET', tenantRoute(deskRoutes.escalations, 'acme'))).json,
    );
    expect(queue.escalations[0]).toMatchObject({ priority: 'urgent', conversation: { id: c.id } });

    const assigned = await call('POST', conv(deskRoutes.assign, c.id), { agent: 'Grace', assignee: 'Grace' });
    expect(assigned.json).toMatchObject({ assignee: 'Grace', status: 'pending_human' });
    expect((await call('POST', conv(deskRoutes.notes, c.id), { agent: 'Grace', text: 'ok' })).status).toBe(
      201,
    );
    expect((await call('POST', conv(deskRoutes.read, c.id), { agent: 'Grace' })).json).toMatchObject({
      unread: 0,
    });
    const resolved = await call('POST', conv(deskRoutes.resolve, c.id), { agent: 'Grace' });
    expect(resolved.json).toMatchObject({ status: 'resolved', hasDraft: false, priority: null });

    const after = conversationDetailSchema.parse(
      (await call('GET', conv(deskRoutes.conversation, c.id))).json,
    );
    expect(after.notes.map((n) => n.text)).toEqual(['needs billing', 'ok']);
    expect(after.escalations.every((e) => e.status === 'closed')).toBe(true);
    const audit = await store.audit.list({ tenantId: 'acme' });
    const actions = audit.filter((a) => a.target === c.id).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'conversation.reply',
        'conversation.regenerate',
        'conversation.escalate',
        'conversation.assign',
        'conversation.note',
        'conversation.resolve',
      ]),
    );
    expect(audit.find((a) => a.action === 'conversation.reply')!.details).toMatchObject({ agent: 'Grace' });
  });

  it('reads and changes desk settings, refusing unknown reasons and fields', async () => {
    const route = tenantRoute(deskRoutes.settings, 'acme');
    expect(deskSettingsViewSchema.parse((await call('GET', route)).json).handoffReasons).toHaveLength(8);
    const put = await call('PUT', route, { handoffReasons: ['low_confidence', 'human_requested'] });
    expect(put.json).toMatchObject({
      replyMode: 'draft',
      handoffReasons: ['human_requested', 'low_confidence'],
    });
    expect((await call('PUT', route, { handoffReasons: ['bored'] })).status).toBe(400);
    expect((await call('PUT', route, { mode: 'auto' })).status).toBe(400);
    const globex = deskSettingsViewSchema.parse(
      (await call('GET', tenantRoute(deskRoutes.settings, 'globex'))).json,
    );
    expect(globex.handoffReasons).toHaveLength(8); // another tenant's settings are its own
    await call('PUT', route, { handoffReasons: deskSettingsViewSchema.shape.handoffReasons.element.options });
  });

  it('creates a widget key shown once, lists without it, updates origins, revokes', async () => {
    const route = tenantRoute(deskRoutes.widgetKeys, 'acme');
    const created = await call('POST', route, {
      origins: ['http://intranet.local/', 'http://intranet.local'],
    });
    expect(created.status).toBe(201);
    const key = createdWidgetKeySchema.parse(created.json);
    expect(key.key).toMatch(/^pk_/);
    expect(key.origins).toEqual(['http://intranet.local']);
    const listed = await call('GET', route);
    expect(JSON.stringify(listed.json)).not.toContain(key.key);
    expect(widgetKeyListSchema.parse(listed.json).keys.map((k) => k.id)).toContain(key.id);
    expect(
      ((await call('GET', tenantRoute(deskRoutes.widgetKeys, 'globex'))).json as { keys: unknown[] }).keys,
    ).toEqual([]);

    const bad = await call('POST', route, { origins: ['http://ok.local', 'intranet'] });
    expect(bad.status).toBe(400);
    expect((bad.json as ErrorJson).error.message).toMatch(/origins\.1: "intranet" is not an origin/);
    expect((await call('POST', route, { origins: [] })).status).toBe(400);

    const keyRoute = (r: string, tenant = 'acme') => tenantRoute(r, tenant).replace(':key', key.id);
    const updated = await call('PUT', keyRoute(deskRoutes.widgetKeyOrigins), {
      origins: ['https://help.local'],
    });
    expect(updated.json).toMatchObject({ id: key.id, origins: ['https://help.local'] });
    expect((await call('DELETE', keyRoute(deskRoutes.widgetKey, 'globex'))).status).toBe(404);
    expect((await call('DELETE', keyRoute(deskRoutes.widgetKey))).status).toBe(204);
    const revoked = widgetKeyListSchema
      .parse((await call('GET', route)).json)
      .keys.find((k) => k.id === key.id);
    expect(revoked!.revokedAt).not.toBeNull();
    expect(await store.widgetKeys.findByHash('x')).toBeNull();
  });

  it('streams live desk events: ready, a visitor message, a saved draft', async () => {
    const received: { event: string; data: unknown }[] = [];
    const request = http.get(`${origin}${tenantRoute(deskRoutes.events, 'acme')}`, { headers: auth });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    let buffer = '';
    const waiters: (() => void)[] = [];
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) received.push({ event, data: JSON.parse(data) });
      }
      for (const w of waiters.splice(0)) w();
    });
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(received)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    };
    await until(() => received.length >= 1);
    expect(received[0]).toEqual({ event: 'ready', data: {} });

    const c = await visitorConversation('Is shipping free?');
    await until(() => received.some((e) => e.event === 'draft'));
    const message = received.find((e) => e.event === 'conversation');
    expect(message!.data).toMatchObject({
      conversationId: c.id,
      change: 'message',
      summary: { id: c.id, visitorName: 'Ada', lastMessage: { text: 'Is shipping free?' } },
    });
    const draft = received.find((e) => e.event === 'draft')!.data as {
      conversationId: string;
      draftId: string;
    };
    expect(draft.conversationId).toBe(c.id);
    expect((await desk.drafts('acme', { conversationId: c.id }))[0]!.id).toBe(draft.draftId);
    // Other tenants' changes never reach this stream.
    const other = await desk.startConversation('globex');
    await (
      await desk.postVisitorMessage('globex', other.id, 'hello')
    ).done;
    await new Promise((r) => setTimeout(r, 100));
    expect(received.some((e) => JSON.stringify(e.data).includes(other.id))).toBe(false);
    request.destroy();
    // The client left: its subscription goes.
    const deadline = Date.now() + 2000;
    while (desk.deskEvents.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(desk.deskEvents.size).toBe(0);
  });

  it('cuts off a client that stopped reading, dropping its subscription and its connection', async () => {
    const before = desk.deskEvents.size;
    const { hostname, port } = new URL(origin);
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.pause(); // never reads, like a console tab frozen by the OS or a dead proxy
    socket.on('error', () => {}); // a reset is as good a cutoff as an end
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const route = tenantRoute(deskRoutes.events, 'acme');
    socket.write(
      `GET ${route} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: ${auth.authorization}\r\n\r\n`,
    );
    const waitUntil = async (ok: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    };
    await waitUntil(() => desk.deskEvents.size > before, 5000);
    expect(desk.deskEvents.size).toBe(before + 1);

    // Big events until the server gives up: the kernel's socket buffers (a few MiB) fill before its own.
    const padding = 'x'.repeat(64 * 1024);
    const deadline = Date.now() + 10_000;
    let events = 0;
    while (desk.deskEvents.size > before && events < 1000 && Date.now() < deadline) {
      desk.deskEvents.draft('acme', 'slow-client', `${padding}${events++}`);
      await new Promise((r) => setImmediate(r));
    }
    expect(desk.deskEvents.size, `still subscribed after ${events} events`).toBe(before);
    // The connection was closed, not left waiting for a reader: reading what is left reaches its end.
    socket.resume();
    const gone = await Promise.race([
      closed.then(() => true),
      new Promise((r) => setTimeout(r, 5000, false)),
    ]);
    expect(gone).toBe(true);
  }, 30_000);

  it('publishes the desk routes in the OpenAPI document', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json as { paths: Record<string, unknown> };
    for (const route of Object.values(deskRoutes)) {
      expect(Object.keys(doc.paths)).toContain(route.replace(/:(\w+)/g, '{$1}'));
    }
  });

  it('serves the widget script on the console listener (or says it is not built)', async () => {
    const response = await fetch(`${origin}/widget.js`);
    const file = path.join(packageRoot, 'dist', 'widget', 'widget.js');
    if (fs.existsSync(file)) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect(await response.text()).toBe(fs.readFileSync(file, 'utf8'));
    } else {
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorJson).error.message).toMatch(/not built/);
    }
  });

  // Last: it stops the server's work.
  it('ends open desk streams when the server shuts down', async () => {
    const request = http.get(`${origin}${tenantRoute(deskRoutes.events, 'acme')}`, { headers: auth });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    response.resume();
    const ended = new Promise<void>((resolve) => response.once('end', resolve));
    server.abortWork();
    await ended;
    expect(desk.deskEvents.size).toBe(0);
  });
});
