import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidgetKey } from '../core/desk/widget-keys.js';
import { KnowledgeBase } from '../core/knowledge/knowledge-base.js';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.js';
import { ingestAbcd } from '../scripts/bench/lib/abcd.js';
import { launchChromium, openPage } from './support/browser.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

/**
 * The widget against the real server: `airdesk serve` with the ABCD guidelines (all marked public) and automatic
 * replies on, a host page on another origin that embeds /widget.js with a pk_ key, and Debian's chromium.
 */
const artifacts = path.join(import.meta.dirname, 'artifacts');
let server: ServerUnderTest;
let browser: Browser;
let host: http.Server;
let hostOrigin: string;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  // The host page's origin must be known before the key is made, so its server starts first.
  let page = '';
  host = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;

  const home = await mkdtemp(path.join(tmpdir(), 'airdesk-e2e-widget-'));
  const store = openSqliteStore(home);
  await store.tenants.create({ id: 'acme', name: 'Acme Retail' });
  const kb = new KnowledgeBase({ store, embedder: null });
  await ingestAbcd(kb, store, 'acme');
  for (const doc of await store.knowledge.listDocuments('acme', { limit: 1000 })) {
    await kb.setPublic('acme', doc.id, true);
  }
  await store.desk.updateSettings('acme', { replyMode: 'auto', autoReplyThreshold: 0.5 });
  const { key } = await createWidgetKey(store, 'acme', [hostOrigin]);
  await kb.close();
  await store.close();

  server = await startServer(randomBytes(24).toString('base64url'), 60_000, {
    home,
    env: { AIRDESK_EMBEDDER: 'none' },
    widgetHost: '127.0.0.1',
  });
  page = `<!doctype html><html><head><title>Acme intranet</title>
    <style>body { font-family: serif; background: #fafaf0 } * { box-sizing: content-box !important }</style></head>
    <body><h1>Acme intranet</h1><p>Questions about an order? Ask below.</p>
    <script src="${server.listening.widget}/widget.js" data-key="${key}" data-title="Acme help" async></script>
    </body></html>`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
  if (server) expect(await stopServer(server), server.stderr()).toBe(0);
});

describe('the chat widget on another origin, against the real server', () => {
  it('answers an ABCD procedure with citations, then hands over to a person', async () => {
    const { page, problems } = await openPage(browser);
    // Playwright cannot look inside a closed shadow root: open it for the test only.
    await page.addInitScript({
      content: `const attach = Element.prototype.attachShadow;
        Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: 'open' }); };`,
    });
    await page.goto(hostOrigin);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Acme help' });
    await dialog.waitFor();
    await page.screenshot({ path: path.join(artifacts, 'widget-real-open.png') });

    await page
      .getByRole('textbox', { name: 'Your message' })
      .fill("My promo code isn't working, it says invalid");
    await page.getByRole('button', { name: 'Send' }).click();
    try {
      await dialog.locator('.msg').filter({ hasText: 'Click on [Promo Code]' }).waitFor({ timeout: 20_000 });
    } catch (error) {
      await page.screenshot({ path: path.join(artifacts, 'widget-real-failed.png') });
      throw new Error(`no cited answer: ${await dialog.innerText()}\n--- server ---\n${server.stderr()}`, {
        cause: error,
      });
    }
    await page.screenshot({ path: path.join(artifacts, 'widget-real-answer.png') });

    await page.getByRole('button', { name: 'Talk to a person' }).click();
    await page.getByRole('status').getByText('A person will join shortly').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'widget-real-handoff.png') });
    expect(problems.list).toEqual([]);
  }, 90_000);
});
