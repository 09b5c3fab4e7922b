/// <reference types="node" />
// The widget's preview mode (data-preview, data-container) in a real browser (Debian's chromium), on a page with
// the console's CSP, as the console's theme editor uses it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'";

let outDir = '';
let origin = '';
let browser: Browser;
/** Every request the page server saw, as "METHOD /path". */
const served: string[] = [];

const page = (attributes: string) => `<!doctype html><html lang="en"><head><title>Console</title></head><body>
  <h1>Theme</h1>
  <div id="preview" style="position: relative; width: 480px; height: 680px; margin-left: 200px;"></div>
  <script src="/widget.js" data-preview="true" data-container="#preview" ${attributes}></script></body></html>`;

const server: Server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  served.push(`${req.method ?? ''} ${url.pathname}`);
  if (url.pathname === '/widget.js') {
    void readFile(path.join(outDir, 'widget.js')).then((script) => {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(script);
    });
    return;
  }
  const attributes =
    url.searchParams.get('theme') === 'de'
      ? 'data-title="IT-Hilfe" data-color="#b91c1c" data-position="left" data-lang="de"'
      : 'data-title="Acme help" data-color="rgb(15, 118, 110)"';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
  res.end(page(attributes));
});

async function open(theme: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  context.setDefaultTimeout(5_000);
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  tab.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin || !['/', '/widget.js'].includes(url.pathname))
      problems.push(`fetched ${url.href}`);
  });
  // Test hook: playwright cannot see into the closed shadow root the widget asks for.
  await tab.addInitScript({
    content: `const attach = Element.prototype.attachShadow;
      Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: 'open' }); };
      document.addEventListener('securitypolicyviolation', (e) => console.error('csp: ' + e.violatedDirective));`,
  });
  await tab.goto(`${origin}/?theme=${theme}`);
  return { page: tab, problems };
}

beforeAll(async () => {
  // Its own build of the current sources, so it never races the other browser test over dist/widget.
  outDir = await mkdtemp(path.join(tmpdir(), 'airdesk-widget-preview-'));
  await build({
    configFile: path.join(repo, 'vite.widget.config.ts'),
    root: repo,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('widget preview mode', () => {
  it('shows the themed widget open in its container with a sample conversation, and calls no API', async () => {
    const { page: tab, problems } = await open('en');
    const dialog = tab.getByRole('dialog', { name: 'Acme help' });
    await dialog.waitFor();
    await tab.getByText('How do I reset my VPN password?', { exact: true }).waitFor();
    await dialog.getByText('VPN guide').waitFor();
    const launcher = tab.getByRole('button', { name: 'Close chat' });
    expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');

    // In the container's bottom-right corner, not the page's.
    const box = (await tab.locator('#preview').boundingBox())!;
    const button = (await launcher.boundingBox())!;
    expect(button.x + button.width).toBeLessThanOrEqual(box.x + box.width);
    expect(button.x + button.width).toBeGreaterThan(box.x + box.width - 40);
    expect(button.y + button.height).toBeGreaterThan(box.y + box.height - 40);
    const panel = (await dialog.boundingBox())!;
    expect(panel.y).toBeGreaterThanOrEqual(box.y);
    // The console keeps its focus: the preview does not grab it.
    expect(await tab.evaluate(() => document.activeElement === document.body)).toBe(true);

    // Typing answers locally; "Talk to a person" shows the banner; still nothing but the page and the script.
    const input = tab.getByRole('textbox', { name: 'Your message' });
    await input.fill('Where is the printer?');
    await input.press('Enter');
    await tab.getByText('Where is the printer?', { exact: true }).waitFor();
    await tab.getByText('This is a preview: answers from your knowledge base appear here.').first().waitFor();
    await tab.getByRole('button', { name: 'Talk to a person' }).click();
    await tab.getByRole('status').getByText('A person will join shortly').waitFor();
    expect(await tab.evaluate(() => sessionStorage.length)).toBe(0);

    // Another preview script (the editor after a change) replaces the widget in the container.
    await tab.evaluate(() => {
      const script = document.createElement('script');
      script.src = '/widget.js';
      script.dataset.preview = 'true';
      script.dataset.container = '#preview';
      script.dataset.title = 'Second look';
      document.body.appendChild(script);
    });
    await tab.getByRole('dialog', { name: 'Second look' }).waitFor();
    expect(await tab.locator('#preview airdesk-widget').count()).toBe(1);
    // (The favicon is the browser's own request.)
    const pageRequests = ['GET /', 'GET /widget.js', 'GET /favicon.ico'];
    expect(served.filter((s) => !pageRequests.includes(s))).toEqual([]);
    expect(problems).toEqual([]);
    await tab.context().close();
  });

  it('applies the language and the left position', async () => {
    const { page: tab, problems } = await open('de');
    const dialog = tab.getByRole('dialog', { name: 'IT-Hilfe' });
    await dialog.waitFor();
    await tab.getByText('Wie setze ich mein VPN-Passwort zurück?').waitFor();
    const launcher = tab.getByRole('button', { name: 'Chat schließen' });
    expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(185, 28, 28)');
    const box = (await tab.locator('#preview').boundingBox())!;
    expect((await launcher.boundingBox())!.x).toBeLessThan(box.x + 40);
    expect(problems).toEqual([]);
    await tab.context().close();
  });
});
