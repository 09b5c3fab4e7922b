import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../core/contract/console-api.js';
import { escalationReasons } from '../core/contract/conversation.js';
import { deskRoutes, deskSettingsViewSchema, widgetKeyListSchema } from '../core/contract/desk-api.js';
import { launchChromium, openPage } from './support/browser.js';
import { openShadowRoots } from './support/intranet.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

const artifacts = path.join(import.meta.dirname, 'artifacts');
const intranet = 'https://intranet.acme.test';

/** The browser's getComputedStyle, typed here: e2e/ is compiled without the DOM library. */
interface Styled {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

let server: ServerUnderTest;
let browser: Browser;

/** The console API as a script calls it, with the console token as a bearer. */
async function api(method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(server.origin + route.replace(':tenant', 'acme'), {
    method,
    headers: {
      authorization: `Bearer ${server.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** What an intranet page's widget does first: start a conversation with the key, from an allowed origin. */
function startConversation(key: string): Promise<Response> {
  return fetch(`${server.listening.widget}/v1/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, origin: intranet, 'content-type': 'application/json' },
    body: '{}',
  });
}

async function openSettings(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Console sections' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Settings', exact: true }).waitFor();
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  server = await startServer(randomBytes(24).toString('base64url'));
  const created = await api('POST', consoleRoutes.tenants, { id: 'acme', name: 'Acme Corp' });
  expect(created.status).toBe(201);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (server) expect(await stopServer(server), server.stderr()).toBe(0);
});

describe('settings page in a real browser', () => {
  it('creates a widget key shown once with its snippet, edits its origins and revokes it', async () => {
    const { context, page, problems } = await openPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await page.goto(server.consoleUrl);
    await openSettings(page);
    const panel = page.getByRole('region', { name: 'Widget keys' });
    await panel.getByText('No widget keys yet').waitFor();
    await panel.getByLabel('Widget server address').fill(server.listening.widget);

    // The form's own check, then the server's message for what only the server refuses (an over-long origin).
    const form = page.getByRole('form', { name: 'Create a widget key' });
    const origins = form.getByLabel('Allowed origins');
    await origins.fill('intranet.acme.test');
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByText('"intranet.acme.test" is not an origin').waitFor();
    expect(await origins.getAttribute('aria-invalid')).toBe('true');
    await origins.fill(
      `https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.test`,
    );
    await form.getByRole('button', { name: 'Create key' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /origins/ })
      .waitFor();

    await origins.fill(`${intranet}\n${intranet}/`);
    await form.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByRole('region', { name: `New widget key for ${intranet}` });
    await created.waitFor();
    const key = (await created.getByLabel('New widget key').textContent()) ?? '';
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]+$/);
    const snippet = (await created.getByLabel('Embed snippet', { exact: true }).textContent()) ?? '';
    // While the new key is on show, the appearance snippet carries it too.
    expect(await page.getByLabel('Embed snippet with this look').textContent()).toContain(
      `data-key="${key}"`,
    );
    expect(snippet).toContain(`<script src="${server.listening.widget}/widget.js"`);
    expect(snippet).toContain(`data-key="${key}"`);
    await created.getByRole('button', { name: 'Copy key' }).click();
    await created.getByText('Copied', { exact: true }).waitFor();
    // A string: e2e/ is compiled without the DOM library.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    await page.screenshot({ path: path.join(artifacts, 'settings-key-created.png'), fullPage: true });

    // The key works for its origin on the widget listener.
    expect((await startConversation(key)).status).toBe(201);

    // Once dismissed, the key is nowhere on the page, and not in the API's list either.
    await created.getByRole('button', { name: 'Done, I have copied it' }).click();
    await created.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(key);
    const row = panel.getByRole('row', { name: new RegExp(`${intranet}.*Active`) });
    await row.waitFor();
    const listed = widgetKeyListSchema.parse(await (await api('GET', deskRoutes.widgetKeys)).json()).keys;
    expect(listed).toHaveLength(1);
    expect(listed[0]?.origins).toEqual([intranet]);
    expect(JSON.stringify(listed)).not.toContain(key);

    await row.getByRole('button', { name: 'Edit origins' }).click();
    const edit = panel.getByRole('form', { name: /^Origins of key / });
    await edit.getByLabel('Allowed origins').fill(`${intranet}\nhttp://127.0.0.1:8080`);
    await edit.getByRole('button', { name: 'Save origins' }).click();
    await edit.waitFor({ state: 'detached' });
    await panel.getByRole('row', { name: /127\.0\.0\.1:8080.*Active/ }).waitFor();

    await panel.getByRole('button', { name: 'Revoke…' }).click();
    const confirm = page.getByRole('alertdialog', { name: /Revoke the widget key/ });
    await confirm.getByText('stop getting answers at once').waitFor();
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    await panel.getByRole('button', { name: 'Revoke…' }).click();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await panel.getByRole('row', { name: /127\.0\.0\.1:8080.*Revoked/ }).waitFor();
    expect(await panel.getByRole('button', { name: 'Revoke…' }).count()).toBe(0);
    const after = widgetKeyListSchema.parse(await (await api('GET', deskRoutes.widgetKeys)).json()).keys;
    expect(after[0]?.revokedAt).not.toBeNull();
    expect((await startConversation(key)).status).toBe(401);
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('saves automatic replies at 80 % with one hand-off reason off, and keeps them after a reload', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(server.consoleUrl);
    await openSettings(page);
    const form = page.getByRole('form', { name: 'Answering settings' });
    await form.getByText('Automatic replies never go out when the answer escalates').waitFor();
    const save = form.getByRole('button', { name: 'Save answering settings' });
    expect(await form.getByLabel('AI drafts, an agent sends').isChecked()).toBe(true);
    expect(await save.isDisabled()).toBe(true);

    await form.getByLabel('Automatic replies').check();
    await form.getByLabel('Auto-reply threshold in percent').fill('80');
    expect(await form.getByLabel('Auto-reply threshold', { exact: true }).inputValue()).toBe('80');
    await form.getByLabel('Long conversation').uncheck();
    await form.getByText('Unsaved changes').waitFor();
    await save.click();
    await form.getByText('Saved. New answers follow these settings.').waitFor();

    const expected = escalationReasons.filter((r) => r !== 'long_conversation');
    const saved = deskSettingsViewSchema.parse(await (await api('GET', deskRoutes.settings)).json());
    expect(saved).toEqual({ replyMode: 'auto', autoReplyThreshold: 0.8, handoffReasons: expected });

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings', exact: true }).waitFor();
    const again = page.getByRole('form', { name: 'Answering settings' });
    await again.waitFor();
    expect(await again.getByLabel('Automatic replies').isChecked()).toBe(true);
    expect(await again.getByLabel('Auto-reply threshold in percent').inputValue()).toBe('80');
    expect(await again.getByLabel('Long conversation').isChecked()).toBe(false);
    expect(await again.getByLabel('Critical topic').isChecked()).toBe(true);
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('previews the real widget with the chosen title and colour, and writes them into the snippet', async () => {
    const { context, page, problems } = await openPage(browser);
    const scripts: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/widget.js') scripts.push(url.origin);
      // The preview never calls the widget API.
      if (url.pathname.startsWith('/v1/')) problems.list.push(`preview called ${url.href}`);
    });
    // Test hook: playwright cannot see into the widget's closed shadow root.
    await page.addInitScript({
      content: openShadowRoots,
    });
    await page.goto(server.consoleUrl);
    await openSettings(page);
    const preview = page.getByRole('region', { name: 'Widget preview' });
    await preview.getByRole('dialog', { name: 'Help' }).waitFor();

    const form = page.getByRole('form', { name: 'Widget appearance' });
    await form.getByLabel('Title').fill('Acme IT help');
    await form.getByLabel('Accent colour', { exact: true }).fill('#0f766e');
    await form.getByLabel('Position').selectOption('left');
    await preview.getByRole('dialog', { name: 'Acme IT help' }).waitFor();
    await preview.getByText('How do I reset my VPN password?').waitFor();
    const launcher = preview.getByRole('button', { name: 'Close chat' });
    await expect
      .poll(() =>
        launcher.evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor),
      )
      .toBe('rgb(15, 118, 110)');
    const stage = (await preview.boundingBox())!;
    expect((await launcher.boundingBox())!.x).toBeLessThan(stage.x + 40);
    expect(await page.locator('#airdesk-widget-preview airdesk-widget').count()).toBe(1);

    // A logo on another origin goes into the snippet but not the preview (the console's CSP: img-src 'self').
    await form.getByLabel('Logo URL (optional)').fill('https://cdn.acme.test/logo.svg');
    await form.getByText('The preview leaves this logo out').waitFor();
    const snippet = (await page.getByLabel('Embed snippet with this look').textContent()) ?? '';
    expect(snippet).toContain('data-key="pk_..."');
    expect(snippet).toContain('data-title="Acme IT help"');
    expect(snippet).toContain('data-color="#0f766e"');
    expect(snippet).toContain('data-position="left"');
    expect(snippet).toContain('data-logo="https://cdn.acme.test/logo.svg"');
    // Loaded from the console's own origin, as its CSP (script-src 'self') requires.
    expect(new Set(scripts)).toEqual(new Set([server.origin]));
    await preview.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, 'settings.png'), fullPage: true });
    expect(problems.list).toEqual([]);
    await context.close();
  });
});
