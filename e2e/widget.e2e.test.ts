import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from './support/browser.js';
import { abcdDeskHome, openShadowRoots, startHostPage, type HostPage } from './support/intranet.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

/**
 * The widget against the real server: `airdesk serve` with the ABCD guidelines (all marked public) and automatic
 * replies on, a host page on another origin that embeds /widget.js with a pk_ key, and Debian's chromium.
 */
const artifacts = path.join(import.meta.dirname, 'artifacts');
let server: ServerUnderTest;
let browser: Browser;
let host: HostPage;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  host = await startHostPage();
  const { home, key } = await abcdDeskHome({
    prefix: 'airdesk-e2e-widget-',
    origin: host.origin,
    settings: { replyMode: 'auto', autoReplyThreshold: 0.5 },
  });

  server = await startServer(randomBytes(24).toString('base64url'), 60_000, {
    home,
    env: { AIRDESK_EMBEDDER: 'none' },
    widgetHost: '127.0.0.1',
  });
  host.html = `<!doctype html><html><head><title>Acme intranet</title>
    <style>body { font-family: serif; background: #fafaf0 } * { box-sizing: content-box !important }</style></head>
    <body><h1>Acme intranet</h1><p>Questions about an order? Ask below.</p>
    <script src="${server.listening.widget}/widget.js" data-key="${key}" data-title="Acme help" async></script>
    </body></html>`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  if (server) expect(await stopServer(server), server.stderr()).toBe(0);
});

describe('the chat widget on another origin, against the real server', () => {
  it('answers an ABCD procedure with citations, then hands over to a person', async () => {
    const { page, problems } = await openPage(browser);
    await page.addInitScript({
      content: openShadowRoots,
    });
    await page.goto(host.origin);
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
