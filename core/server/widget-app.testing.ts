import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import type { Store } from '../contract/store.js';
import { openDesk } from '../desk/index.js';
import type { DeskService } from '../desk/desk-service.js';
import { createWidgetKey } from '../desk/widget-keys.js';
import { runIngest } from '../knowledge/pipeline/ingest-run.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer } from './server.js';
import { openTenantTestStore } from './tenant-store.testing.js';

/** The page acme's widget key is for. */
export const site = 'http://intranet.local';
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

export interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** True once an event of this type has come. */
export const has = (type: string) => (events: SseEvent[]) => events.some((e) => e.event === type);

export interface WidgetTestServer {
  /** The temp folder the home is in; free for other files. */
  dir: string;
  home: string;
  store: Store;
  desk: DeskService;
  /** The widget listener's URL. */
  base: string;
  /** Acme's widget key, for `site` and http://other.local/. */
  key: string;
  /** Globex's widget key, for http://globex.local. */
  globexKey: string;
  /** Request headers of the widget on `site` with acme's key, plus `extra`. */
  headers(extra?: Record<string, string>): Record<string, string>;
  /** Starts a conversation (asserting 201). */
  start(visitor?: Record<string, string>): Promise<{ conversationId: string; visitorToken: string }>;
  /** POSTs to one of the conversation's routes (`messages`, `csat`); a string body is sent as is. */
  post(conversationId: string, token: string, route: string, body: unknown): Promise<Response>;
  /** Reads the SSE stream until `until` holds (or 20 s), then disconnects. */
  readEvents(
    conversationId: string,
    token: string,
    until: (events: SseEvent[]) => boolean,
    lastEventId?: number,
  ): Promise<SseEvent[]>;
  close(): Promise<void>;
}

/**
 * A real server with the widget desk over the real answer engine (BM25, extractive) and a real store in a temp
 * home: acme has the shipping and password articles, public, and a widget key; globex has a key of its own. A
 * visitor may send 8 requests at once, then one every 5 s.
 */
export async function openWidgetTestServer(): Promise<WidgetTestServer> {
  const tenants = await openTenantTestStore();
  const { store, home, dir } = tenants;
  const answers = await openTestAnswerDesk(store, null);
  const folder = path.join(dir, 'kb');
  fs.mkdirSync(folder);
  for (const [name, text] of Object.entries(docs)) fs.writeFileSync(path.join(folder, name), text);
  await runIngest(answers.kb, { tenant: 'acme', paths: [folder], source: 'help' });
  for (const doc of await store.knowledge.listDocuments('acme'))
    await answers.kb.setPublic('acme', doc.id, true);
  const widget = openDesk({ home, store, engine: answers.desk.engine });
  const key = (await createWidgetKey(store, 'acme', [site, 'http://other.local/'])).key;
  const globexKey = (await createWidgetKey(store, 'globex', ['http://globex.local'])).key;
  const server = await startServer({
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
  const base = server.listening.widget;

  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${key}`,
    origin: site,
    'content-type': 'application/json',
    ...extra,
  });
  return {
    dir,
    home,
    store,
    desk: widget.desk,
    base,
    key,
    globexKey,
    headers,
    start: async (visitor) => {
      const res = await fetch(`${base}/v1/conversations`, {
        method: 'POST',
        headers: headers(),
        body: JSON.stringify(visitor ? { visitor } : {}),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { conversationId: string; visitorToken: string };
    },
    post: (conversationId, token, route, body) =>
      fetch(`${base}/v1/conversations/${conversationId}/${route}`, {
        method: 'POST',
        headers: headers({ 'x-visitor-token': token }),
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    readEvents: (conversationId, token, until, lastEventId) =>
      readEvents(
        `${base}/v1/conversations/${conversationId}/events`,
        {
          ...headers({ 'x-visitor-token': token }),
          ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}),
        },
        until,
      ),
    close: async () => {
      await server.close();
      await answers.close();
      await tenants.close();
    },
  };
}

async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 20_000);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { headers, signal: abort.signal });
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
