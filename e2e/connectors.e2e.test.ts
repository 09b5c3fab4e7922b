import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../core/contract/console-api.js';
import { launchChromium, openPage } from './support/browser.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

const artifacts = path.join(import.meta.dirname, 'artifacts');

let server: ServerUnderTest;
let browser: Browser;
let folder: string;

function heading(page: Page, name: string, level = 1) {
  return page.getByRole('heading', { level, name, exact: true });
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  folder = await mkdtemp(path.join(tmpdir(), 'airdesk-e2e-kb-'));
  await writeFile(path.join(folder, 'vpn.md'), '# VPN\n\nUse the Frankfurt gateway to reach the intranet.');
  await writeFile(path.join(folder, 'refunds.md'), '# Refunds\n\nRefunds reach the card within five days.');
  await writeFile(path.join(folder, 'huge.txt'), 'x'.repeat(5_000));
  server = await startServer(randomBytes(24).toString('base64url'));
  const created = await fetch(server.origin + consoleRoutes.tenants, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'acme', name: 'Acme Corp' }),
  });
  expect(created.status).toBe(201);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (server) expect(await stopServer(server), server.stderr()).toBe(0);
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('connectors page in a real browser', () => {
  it('adds a folder connector through the form, tests it, syncs with progress and history, and deletes it', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(server.consoleUrl);
    await heading(page, 'Inbox').waitFor();
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'Connectors' })
      .click();
    await heading(page, 'Connectors').waitFor();
    await page.getByText('Add a connector to sync Confluence').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'connectors-empty.png') });

    await page.getByRole('button', { name: 'Add connector' }).click();
    const form = page.getByRole('form', { name: 'Add a connector' });
    await form.waitFor();
    expect(await page.getByLabel('Type', { exact: true }).inputValue()).toBe('folder');
    // Client-side checks first: the name and the required path.
    await form.getByRole('button', { name: 'Add connector' }).click();
    await page.getByText('Check the highlighted fields.').waitFor();
    expect(await page.getByLabel('Path', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Name', { exact: true }).fill('Help center');
    await page.getByLabel('Path', { exact: true }).fill('relative/folder');
    await form.getByRole('button', { name: 'Add connector' }).click();
    await page.getByRole('alert').filter({ hasText: 'settings.path: an absolute path' }).waitFor();

    await page.getByLabel('Path', { exact: true }).fill(path.join(folder, 'missing'));
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /Connection test failed: Folder .*missing does not exist/ })
      .waitFor();
    await page.screenshot({ path: path.join(artifacts, 'connectors-test-failed.png') });

    await page.getByLabel('Path', { exact: true }).fill(folder);
    await page.getByLabel('Max file bytes (optional)').fill('1000');
    await page.getByLabel('Schedule (optional)').fill('every hour');
    await form.getByRole('button', { name: 'Add connector' }).click();
    await page.getByText('A cron expression has 5 fields').waitFor();
    await page.getByLabel('Schedule (optional)').fill('0 3 * * *');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Folder or network share: the connection works with these settings.').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'connectors-add-form.png'), fullPage: true });
    await form.getByRole('button', { name: 'Add connector' }).click();

    await heading(page, 'Help center', 2).waitFor();
    const row = page.getByRole('row', { name: /Help center.*Folder or network share.*Enabled.*Never/ });
    await row.waitFor();

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/Sync finished: 2 added, 0 updated, 0 deleted, 1 failed\./).waitFor();
    await page.getByRole('row', { name: /Help center.*Succeeded/ }).waitFor();
    const history = page.getByRole('table', { name: 'Sync history, newest first' });
    await history.getByRole('row', { name: /Succeeded.*\b2\b.*\b0\b.*\b0\b.*\b1\b/ }).waitFor();
    await history.getByText('1 item failed — show why').click();
    await history.getByText(/huge\.txt.*too large/).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'connectors-synced.png'), fullPage: true });

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Folder or network share: the connection works with these settings.').waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled: it is not synced on its schedule').waitFor();
    expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit Help center' });
    await edit.waitFor();
    expect(await page.getByLabel('Path', { exact: true }).inputValue()).toBe(folder);
    await page.getByLabel('Max file bytes (optional)').fill('');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await heading(page, 'Help center', 2).waitFor();

    await page.getByLabel('Full sync (read everything)').check();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/Sync finished: 1 added, \d+ updated, 0 deleted, 0 failed\./).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'connectors-history.png'), fullPage: true });

    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete the connector “Help center”?' });
    await dialog.getByText('Every document it brought in will be removed from the knowledge base').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'connectors-delete-confirm.png') });
    await dialog.getByRole('button', { name: 'Delete connector and its documents' }).click();
    await page.getByText('Add a connector to sync Confluence').waitFor();

    const left = await fetch(server.origin + '/api/tenants/acme/connectors', {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(await left.json()).toEqual({ connectors: [] });
    expect(problems.list).toEqual([]);
    await context.close();
  });
});
