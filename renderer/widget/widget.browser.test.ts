/// <reference types="node" />
// The widget in a real browser (Debian's chromium via playwright-core), embedded in a hostile page on another origin.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bundle = path.join(repo, 'dist', 'widget', 'widget.js');
const artifacts = path.join(repo, 'e2e', 'artifacts');
const key = 'pk_test_widget';

/**
 * A stand-in for the widget API of SPEC.md ("Widget HTTP API", /v1) until core/server/widget-app.ts serves it:
 * the same paths, status codes, bodies, auth headers and SSE event names, with scripted replies. It also serves
 * /widget.js, so the script's origin is the API's, as in production. Its first event stream is cut after one
 * delta, to prove the widget resumes with Last-Event-ID.
 */
interface FakeConversation {
  token: string;
  status: 'open' | 'pending_human' | 'resolved';
  events: { id: number; event: string; data: unknown }[];
  clients: Set<ServerResponse>;
  csat: number | null;
}

class FakeWidgetApi {
  readonly conversations = new Map<string, FakeConversation>();
  /** The Last-Event-ID header of every event-stream request, '' when absent. */
  readonly resumedFrom: string[] = [];
  allowedOrigin = '';
  private cutFirstStream = true;
  private nextEventId = 1;
  server: Server = createServer((req, res) => void this.handle(req, res));

  emit(conversationId: string, event: string, data: unknown): void {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new Error('no conversation ' + conversationId);
    const record = { id: this.nextEventId++, event, data };
    conversation.events.push(record);
    if (event === 'conversation.handoff') conversation.status = 'pending_human';
    if (event === 'conversation.resolved') conversation.status = 'resolved';
    for (const client of conversation.clients) this.write(client, record, conversation);
  }

  get only(): [string, FakeConversation] {
    const entry = [...this.conversations][0];
    if (!entry) throw new Error('no conversation yet');
    return entry;
  }

  private write(res: ServerResponse, record: FakeConversation['events'][number], c: FakeConversation): void {
    const frame = `id: ${record.id}\nevent: ${record.event}\ndata: ${JSON.stringify(record.data)}\n\n`;
    if (this.cutFirstStream && record.event === 'message.delta') {
      this.cutFirstStream = false;
      c.clients.delete(res);
      // Cut once the delta is on the wire, so the widget has seen it and must resume right after it.
      res.write(frame, () => setTimeout(() => res.destroy(), 100));
      return;
    }
    res.write(frame);
  }

  private send(
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('access-control-allow-origin', this.allowedOrigin);
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, x-visitor-token, last-event-id',
      );
      res.setHeader('access-control-max-age', '600');
      return this.send(res, 204);
    }
    if (url.pathname === '/widget.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(await readFile(bundle));
      return;
    }
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.headers.authorization !== `Bearer ${key}`)
      return this.send(res, 401, { error: { code: 'unauthorized', message: 'bad key' } });
    if (req.headers.origin !== this.allowedOrigin)
      return this.send(res, 403, { error: { code: 'forbidden', message: 'origin not allowed' } });
    if (req.method === 'POST' && url.pathname === '/v1/conversations') {
      const id = randomUUID();
      const token = 'vt_' + randomUUID();
      this.conversations.set(id, { token, status: 'open', events: [], clients: new Set(), csat: null });
      return this.send(res, 201, { conversationId: id, visitorToken: token });
    }
    const match = /^\/v1\/conversations\/([^/]+)\/(messages|events|csat)$/.exec(url.pathname);
    const id = decodeURIComponent(match?.[1] ?? '');
    const conversation = this.conversations.get(id);
    if (!match || !conversation) return this.send(res, 404, { error: { code: 'not_found', message: 'no' } });
    if (req.headers['x-visitor-token'] !== conversation.token)
      return this.send(res, 401, { error: { code: 'unauthorized', message: 'bad visitor token' } });
    const body = req.method === 'POST' ? (JSON.parse(await readBody(req)) as Record<string, unknown>) : {};
    const what = `${req.method ?? ''} ${match[2] ?? ''}`;
    if (what === 'POST messages') return this.postMessage(res, id, String(body.text));
    if (what === 'GET messages') {
      const messages = conversation.events
        .filter((e) => e.event === 'message.completed')
        .map((e) => ({ createdAt: new Date().toISOString(), ...(e.data as object) }));
      return this.send(res, 200, { status: conversation.status, messages });
    }
    if (what === 'GET events') {
      const after = Number(req.headers['last-event-id'] ?? 0);
      this.resumedFrom.push(String(req.headers['last-event-id'] ?? ''));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('retry: 200\n\n');
      conversation.clients.add(res);
      req.on('close', () => conversation.clients.delete(res));
      for (const record of conversation.events.filter((e) => e.id > after))
        this.write(res, record, conversation);
      return;
    }
    if (what === 'POST csat') {
      conversation.csat = Number(body.rating);
      return this.send(res, 204);
    }
    return this.send(res, 404, { error: { code: 'not_found', message: 'no' } });
  }

  private postMessage(res: ServerResponse, id: string, text: string): void {
    if (text === 'flood')
      return this.send(
        res,
        429,
        { error: { code: 'rate_limited', message: 'slow down' } },
        { 'retry-after': '7' },
      );
    const messageId = randomUUID();
    this.send(res, 202, { messageId });
    this.emit(id, 'message.completed', { id: messageId, role: 'visitor', text });
    if (text === 'I would like to talk to a person') {
      setTimeout(() => this.emit(id, 'conversation.handoff', { state: 'requested' }), 100);
      return;
    }
    const replyId = randomUUID();
    const reply = text.includes('VPN')
      ? ['To reset your VPN, ', 'open the client ', 'and choose Reset.']
      : ['You wrote: ', text];
    reply.forEach((delta, i) =>
      setTimeout(() => this.emit(id, 'message.delta', { messageId: replyId, delta }), 150 * (i + 1)),
    );
    const citations = text.includes('VPN')
      ? [
          {
            docId: 'kb-1',
            title: 'VPN guide',
            quote: 'Open the client',
            url: 'https://wiki.intranet.example/vpn',
          },
        ]
      : [];
    setTimeout(
      () =>
        this.emit(id, 'message.completed', {
          id: replyId,
          role: 'assistant',
          text: reply.join(''),
          citations,
        }),
      150 * (reply.length + 1),
    );
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

// The host page: another origin, with CSS that would wreck any widget not isolated in a shadow root.
function hostPage(apiOrigin: string, attributes: string): string {
  return `<!doctype html><html><head><title>Intranet</title><style>
  body * { all: unset !important; }
  div, button, p, span { display: none !important; }
  body { font: 40px/0 "Comic Sans MS", cursive; color: red; background: #fffbe6; }
  </style></head><body><h1>Intranet home</h1><p>Hidden by the page's own CSS.</p>
  <script src="${apiOrigin}/widget.js" data-key="${key}" ${attributes} async></script></body></html>`;
}

/** Builds the bundle when it is missing or older than its sources (npm run build makes it too). */
async function ensureBundle(): Promise<void> {
  const sources = await readdir(import.meta.dirname);
  const newest = Math.max(
    ...(await Promise.all(sources.map(async (f) => (await stat(path.join(import.meta.dirname, f))).mtimeMs))),
  );
  const built = await stat(bundle).catch(() => null);
  if (built && built.mtimeMs >= newest) return;
  await build({ configFile: path.join(repo, 'vite.widget.config.ts'), root: repo, logLevel: 'warn' });
}

const api = new FakeWidgetApi();
const pageServer = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  const attributes =
    url.searchParams.get('lang') === 'de'
      ? 'data-lang="de" data-position="left" data-color="#b91c1c" data-title="IT-Hilfe"'
      : 'data-title="IT Help" data-color="#1d4ed8"';
  res.end(hostPage(apiOrigin, attributes));
});
let apiOrigin = '';
let pageOrigin = '';
let browser: Browser;
const problems: string[] = [];

async function newPage(openShadow: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 720 } });
  context.setDefaultTimeout(5_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs the 429 and the cut stream this test provokes as console errors.
    const expected = /status of 429|ERR_INCOMPLETE_CHUNKED_ENCODING/;
    if (message.type() === 'error' && !expected.test(message.text())) problems.push(message.text());
  });
  // Test hook only: playwright cannot see into a closed shadow root, so the test page opens it. The widget itself
  // asks for a closed one (checked below on a page without this hook).
  if (openShadow)
    await page.addInitScript({
      content: `const attach = Element.prototype.attachShadow;
        Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: 'open' }); };`,
    });
  return page;
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(artifacts, `widget-${name}.png`) });
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  await ensureBundle();
  apiOrigin = await listen(api.server);
  pageOrigin = await listen(pageServer);
  api.allowedOrigin = pageOrigin;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  api.server.closeAllConnections();
  pageServer.closeAllConnections();
  await new Promise((resolve) => api.server.close(resolve));
  await new Promise((resolve) => pageServer.close(resolve));
});

describe('chat widget in a real browser', () => {
  it('chats, streams and resumes, hands off, takes a rating, and shows markup as text', async () => {
    const page = await newPage(true);
    await page.goto(pageOrigin + '/');
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    const box = await launcher.boundingBox();
    expect(box).toMatchObject({ width: 56, height: 56 });
    expect(box!.x + 56).toBeGreaterThan(1024 - 40);
    await shot(page, 'closed');

    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'IT Help' });
    await dialog.waitFor();
    expect(await page.getByRole('button', { name: 'Close chat' }).getAttribute('aria-expanded')).toBe('true');
    const input = page.getByRole('textbox', { name: 'Your message' });
    expect(await input.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    await expect.poll(() => dialog.boundingBox().then((b) => b?.height ?? 0)).toBeGreaterThan(400);
    await page.getByRole('button', { name: 'Talk to a person' }).waitFor();

    // A streamed reply: the typing indicator shows while it streams; the stream is cut after the first delta and
    // the widget resumes from that event's id.
    await input.fill('How do I reset my VPN?');
    await input.press('Enter');
    await page.getByText('Typing…').waitFor();
    await page.getByText('To reset your VPN, open the client and choose Reset.', { exact: true }).waitFor();
    await page.getByText('Typing…').waitFor({ state: 'hidden' });
    const link = page.getByRole('link', { name: 'VPN guide' });
    expect(await link.getAttribute('href')).toBe('https://wiki.intranet.example/vpn');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    const [conversationId, conversation] = api.only;
    // Resumed from the delta it read (or, when the browser dropped that chunk with the broken stream, from the
    // event before it): either way the reply above reads exactly once, with nothing lost or doubled.
    expect(api.resumedFrom).toHaveLength(2);
    expect([String(conversation.events[0]?.id), String(conversation.events[1]?.id)]).toContain(
      api.resumedFrom[1],
    );
    expect(conversation.events.filter((e) => e.event === 'message.delta')).toHaveLength(3);
    await shot(page, 'reply');

    // Markup from the visitor and in the reply is text.
    const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>';
    await input.fill(hostile);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('You wrote: ' + hostile, { exact: true }).waitFor();
    await page.getByText(hostile, { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await dialog.locator('script, img, b').count()).toBe(0);

    // 429: said politely, with the wait.
    await input.fill('flood');
    await input.press('Enter');
    // Shown in the panel (and announced through the live region, hence the class to pick the visible one).
    await dialog.locator('.error', { hasText: 'Too many messages, try again in 7 s' }).waitFor();
    expect(await input.inputValue()).toBe('flood');
    await input.fill('');

    await page.getByRole('button', { name: 'Talk to a person' }).click();
    await page.getByText('I would like to talk to a person', { exact: true }).waitFor();
    await page.getByRole('status').getByText('A person will join shortly').waitFor();
    api.emit(conversationId, 'conversation.handoff', { state: 'joined', agent: { name: 'Sam' } });
    api.emit(conversationId, 'message.completed', { id: 'agent-1', role: 'agent', text: 'Hi, Sam here.' });
    await page.getByRole('status').getByText('An agent joined').waitFor();
    await page.getByText('Hi, Sam here.', { exact: true }).waitFor();
    await shot(page, 'handoff');

    // A reload continues the conversation: same conversation, history shown, the panel still open.
    await page.reload();
    await page.getByText('To reset your VPN, open the client and choose Reset.', { exact: true }).waitFor();
    await page.getByText('Hi, Sam here.', { exact: true }).waitFor();
    expect(api.conversations.size).toBe(1);
    await expect.poll(() => api.resumedFrom.length).toBe(3);
    expect(api.resumedFrom[2]).toBe(String(conversation.events.at(-1)?.id));

    api.emit(conversationId, 'conversation.resolved', {});
    await page.getByRole('group', { name: 'How would you rate this conversation?' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Your message' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '5 of 5 stars' }).click();
    await dialog.locator('.csat-question', { hasText: 'Thank you for your feedback!' }).waitFor();
    // Screen readers hear it through the polite live region.
    expect(await dialog.locator('[aria-live="polite"]').textContent()).toBe('Thank you for your feedback!');
    expect(conversation.csat).toBe(5);
    await shot(page, 'csat');
    await page.reload();
    await dialog.locator('.csat-question', { hasText: 'Thank you for your feedback!' }).waitFor();
    await page.getByRole('button', { name: 'Start a new conversation' }).click();
    await expect.poll(() => input.isEnabled()).toBe(true);
    expect(await dialog.locator('.msg').count()).toBe(0);

    // Keyboard: Escape closes and gives focus back to the launcher; Enter opens again.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const reopen = page.getByRole('button', { name: 'Open chat' });
    expect(await reopen.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    expect(await reopen.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.context().close();
  });

  it('keeps its shadow root closed, and speaks German on the left in the configured colour', async () => {
    const page = await newPage(false);
    await page.goto(pageOrigin + '/?lang=de');
    await expect
      .poll(() => page.evaluate(() => document.querySelector('airdesk-widget') !== null))
      .toBe(true);
    expect(
      await page.evaluate(() => document.querySelector('airdesk-widget')?.shadowRoot ?? null),
    ).toBeNull();
    await page.context().close();

    const open = await newPage(true);
    await open.goto(pageOrigin + '/?lang=de');
    const launcher = open.getByRole('button', { name: 'Chat öffnen' });
    await launcher.waitFor();
    expect((await launcher.boundingBox())!.x).toBeLessThan(40);
    expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(185, 28, 28)');
    await launcher.click();
    await open.getByRole('dialog', { name: 'IT-Hilfe' }).waitFor();
    await open.getByRole('button', { name: 'Mit einer Person sprechen' }).waitFor();
    await shot(open, 'de');
    await open.context().close();
    expect(problems).toEqual([]);
  });
});
