import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes, sessionCookieName } from '../core/contract/console-api.js';
import type { ErrorBody } from '../core/contract/errors.js';
import { consoleCsp } from '../electron/csp.js';
import { launchChromium, openPage } from './support/browser.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

const artifacts = path.join(import.meta.dirname, 'artifacts');

const sections = [
  {
    nav: 'Inbox',
    path: '/inbox',
    text: 'AI draft reply, the citations it is grounded on and a confidence score',
  },
  {
    nav: 'Escalations',
    path: '/escalations',
    text: 'Conversations the assistant or an agent hands to a person will queue here',
  },
  { nav: 'Knowledge', path: '/knowledge', text: 'add files here or connect a system on the Connectors page' },
  { nav: 'Connectors', path: '/connectors', text: 'Confluence, SharePoint, Jira, Notion and file shares' },
  { nav: 'Quality', path: '/quality', text: 'regression gates' },
  { nav: 'Settings', path: '/settings', text: 'Widget keys for embedding the chat widget, roles' },
] as const;

let server: ServerUnderTest;
let browser: Browser;

function heading(page: Page, name: string) {
  return page.getByRole('heading', { level: 1, name, exact: true });
}

async function signInWithUrl(page: Page): Promise<void> {
  await page.goto(server.consoleUrl);
  await heading(page, 'Inbox').waitFor();
}

/** Fills and submits the header's "New tenant" form. */
async function submitNewTenant(page: Page, id: string, name?: string): Promise<void> {
  await page.getByRole('button', { name: 'New tenant' }).click();
  await page.getByLabel('Tenant id').fill(id);
  if (name) await page.getByLabel('Display name (optional)').fill(name);
  await page.getByRole('button', { name: 'Create tenant' }).click();
}

/** The console API as a script would call it, with the console token as a bearer. */
function createTenantByApi(input: { id: string; name?: string }): Promise<Response> {
  return fetch(server.origin + consoleRoutes.tenants, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  server = await startServer(randomBytes(24).toString('base64url'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (server) expect(await stopServer(server), server.stderr()).toBe(0);
});

describe('console in a real browser', () => {
  it('shows the sign-in page, the server message for a wrong token, and signs in with the right one', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(server.origin + '/');
    await heading(page, 'Sign in to the console').waitFor();
    await page.getByText('AIRDESK_CONSOLE_TOKEN').waitFor();
    // The built page carries the desktop shell's CSP (less frame-ancestors, which a <meta> cannot set), so any
    // inline script or eval would show up below as a violation in every browser test.
    const pageCsp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(pageCsp).toBe(
      consoleCsp
        .split('; ')
        .filter((d) => !d.startsWith('frame-ancestors'))
        .join('; '),
    );

    const refused = await fetch(server.origin + consoleRoutes.session, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-token' }),
    });
    expect(refused.status).toBe(401);
    const { error } = (await refused.json()) as ErrorBody;
    expect(error.code).toBe('unauthorized');

    await page.getByLabel('Console token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(error.message);
    await page.screenshot({ path: path.join(artifacts, 'sign-in-wrong-token.png') });

    await page.getByLabel('Console token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Inbox').waitFor();
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('signs in directly from the ?token= URL, with an HttpOnly session cookie', async () => {
    const { context, page, problems } = await openPage(browser);
    await signInWithUrl(page);
    expect(page.url()).toBe(server.origin + '/');
    const cookie = (await context.cookies()).find((c) => c.name === sessionCookieName);
    expect(cookie?.httpOnly).toBe(true);
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('walks every section, creates tenants with the switcher and remembers the choice', async () => {
    const { context, page, problems } = await openPage(browser);
    await signInWithUrl(page);
    const nav = page.getByRole('navigation', { name: 'Console sections' });

    for (const section of sections) {
      await nav.getByRole('link', { name: section.nav }).click();
      await heading(page, section.nav).waitFor();
      expect(new URL(page.url()).pathname).toBe(section.path);
      expect(await nav.getByRole('link', { name: section.nav }).getAttribute('aria-current')).toBe('page');
      await page.getByText(section.text).waitFor();
      await page.getByText('airdesk tenants create ID').waitFor();
      await page.screenshot({ path: path.join(artifacts, `${section.nav.toLowerCase()}-no-tenant.png`) });
    }

    await submitNewTenant(page, 'Not Valid');
    expect(await page.getByRole('alert').textContent()).toMatch(/lowercase letters, digits/);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await submitNewTenant(page, 'acme', 'Acme Corp');
    const switcher = page.getByLabel('Tenant', { exact: true });
    await page.getByRole('group', { name: 'Create a tenant' }).waitFor({ state: 'detached' });
    await expect.poll(() => switcher.inputValue()).toBe('acme');
    await page.getByRole('row', { name: /acme.*Acme Corp/ }).waitFor();
    expect(await page.getByText('airdesk tenants create ID').count()).toBe(0);

    await submitNewTenant(page, 'acme');
    const conflict = await createTenantByApi({ id: 'acme' });
    expect(conflict.status).toBe(409);
    const { error } = (await conflict.json()) as ErrorBody;
    expect(await page.getByRole('alert').textContent()).toBe(error.message);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await submitNewTenant(page, 'globex');
    await page.getByRole('group', { name: 'Create a tenant' }).waitFor({ state: 'detached' });
    await expect.poll(() => switcher.inputValue()).toBe('globex');
    await switcher.selectOption('acme');
    await page.screenshot({ path: path.join(artifacts, 'settings-tenants.png') });

    await page.reload();
    await heading(page, 'Settings').waitFor();
    await expect.poll(() => switcher.inputValue()).toBe('acme');

    for (const section of sections) {
      await nav.getByRole('link', { name: section.nav }).click();
      await heading(page, section.nav).waitFor();
      await page.screenshot({ path: path.join(artifacts, `${section.nav.toLowerCase()}.png`) });
    }
    await nav.getByRole('link', { name: 'Inbox' }).click();
    await heading(page, 'Inbox').waitFor();
    await page.getByText('Tenant: Acme Corp').waitFor();
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('signs out back to the sign-in page, after which the API refuses the browser', async () => {
    const { context, page, problems } = await openPage(browser);
    await signInWithUrl(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to the console').waitFor();

    expect((await page.request.get(server.origin + consoleRoutes.tenants)).status()).toBe(401);
    await page.goto(server.origin + '/');
    await heading(page, 'Sign in to the console').waitFor();
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('returns to the sign-in page with a notice when the session ends on the server', async () => {
    const { context, page, problems } = await openPage(browser);
    await signInWithUrl(page);
    // Another tab signs out: the cookie this page holds no longer opens anything.
    expect((await page.request.delete(server.origin + consoleRoutes.session)).status()).toBe(204);

    await submitNewTenant(page, 'initech');
    await heading(page, 'Sign in to the console').waitFor();
    await page.getByText('Your session has ended').waitFor();
    expect(problems.list).toEqual([]);
    await context.close();
  });
});
