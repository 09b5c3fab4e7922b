import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes, tenantRoute } from '../core/contract/console-api.js';
import { documentListSchema, knowledgeRoutes } from '../core/contract/knowledge-api.js';
import { launchChromium, openPage } from './support/browser.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

const artifacts = path.join(import.meta.dirname, 'artifacts');

let server: ServerUnderTest;
let browser: Browser;
let folder: string;
const files: string[] = [];

// Runs in the page: remembers every value a progress bar showed (an upload is over before a poll would see it).
const recordProgress = `window.progressSeen = [];
new MutationObserver((records) => {
  for (const r of records) {
    const nodes = r.type === 'attributes' ? [r.target] : [...r.addedNodes];
    for (const n of nodes) {
      if (!(n instanceof Element)) continue;
      const bars = n.matches('[role=progressbar]') ? [n] : [...n.querySelectorAll('[role=progressbar]')];
      for (const bar of bars) window.progressSeen.push(Number(bar.getAttribute('aria-valuenow')));
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });`;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  folder = await mkdtemp(path.join(tmpdir(), 'airdesk-e2e-knowledge-'));
  const docs: Record<string, string> = {
    'refunds.md': '# Refunds\n\nRefunds reach the original card within five business days.',
    'vpn-access.md': '# VPN access\n\nUse the Frankfurt gateway to reach the intranet from home.',
    'shipping.md':
      '# Shipping\n\nStandard shipping takes three to five business days; express arrives next day.',
  };
  for (const [name, text] of Object.entries(docs)) {
    const file = path.join(folder, name);
    await writeFile(file, text);
    files.push(file);
  }
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

describe('knowledge page in a real browser', () => {
  it('uploads files with progress, lists them, marks one public and compares the search modes', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(server.consoleUrl);
    await page.getByRole('heading', { level: 1, name: 'Inbox', exact: true }).waitFor();
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'Knowledge' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Knowledge', exact: true }).waitFor();
    await page.getByText('No sources yet.').waitFor();
    expect(await page.getByRole('button', { name: 'Add from this computer…' }).count()).toBe(0);

    await page.getByLabel('Files to add').setInputFiles(files);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    for (const name of ['refunds.md', 'vpn-access.md', 'shipping.md']) {
      await uploads.getByRole('listitem').filter({ hasText: name }).filter({ hasText: 'Added' }).waitFor();
    }
    expect(await page.getByRole('progressbar').count()).toBe(0);
    await uploads
      .getByText(/1 added, 0 updated, 0 unchanged; \d+ passages? indexed/)
      .first()
      .waitFor();

    const sources = page.getByRole('table', { name: 'Knowledge sources of this tenant' });
    await sources.getByRole('row', { name: /Uploads\s+Files\s+3\s+0/ }).waitFor();
    const documents = page.getByRole('table', { name: 'Documents' });
    for (const title of ['Refunds', 'VPN access', 'Shipping']) {
      await documents.getByRole('row', { name: new RegExp(title) }).waitFor();
    }

    await page.getByLabel('Public: Refunds').check();
    await documents.getByRole('row', { name: /Refunds.*Public/ }).waitFor();
    await sources.getByRole('row', { name: /Uploads\s+Files\s+3\s+1/ }).waitFor();
    const listed = await fetch(server.origin + tenantRoute(knowledgeRoutes.documents, 'acme'), {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const refunds = documentListSchema
      .parse(await listed.json())
      .documents.find((d) => d.title === 'Refunds');
    expect(refunds).toMatchObject({ isPublic: true, publicOverride: true });

    // Dropping a file of the same name updates that document and keeps the admin's public choice.
    const dropped = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['# Refunds\\n\\nRefunds now reach the card within three business days.'], 'refunds.md'));
      transfer.items.add(new File(['MZ'], 'setup.exe'));
      return transfer;
    })()`);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
    await uploads
      .getByRole('listitem')
      .filter({ hasText: 'refunds.md' })
      .filter({ hasText: 'Updated' })
      .waitFor();
    await documents.getByRole('row', { name: /Refunds.*Uploads\s+2\s+Indexed/ }).waitFor();
    expect(await page.getByLabel('Public: Refunds').isChecked()).toBe(true);
    await uploads
      .getByRole('listitem')
      .filter({ hasText: 'setup.exe' })
      .filter({ hasText: /Failed.*cannot read \.exe; it reads \.md, / })
      .waitFor();

    await page.getByLabel('Filter documents').fill('vpn');
    await documents.getByRole('row', { name: /Shipping/ }).waitFor({ state: 'detached' });
    expect(await documents.getByRole('row').count()).toBe(2); // header and VPN access
    await page.getByLabel('Filter documents').fill('');

    await page.getByRole('searchbox', { name: 'Question' }).fill('how long until my refund arrives');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    for (const column of ['BM25 (full text)', 'Vector (meaning)', 'Hybrid (what answers use)']) {
      const region = page.getByRole('region', { name: column });
      await region.waitFor();
      const first = region.getByRole('listitem').first();
      await first.getByLabel('Rank 1').waitFor();
    }
    const bm25 = page.getByRole('region', { name: 'BM25 (full text)' });
    expect(await bm25.getByRole('listitem').first().textContent()).toContain('Refunds');
    const hybrid = page.getByRole('region', { name: 'Hybrid (what answers use)' });
    await hybrid
      .getByText(/BM25 #\d+ \([\d.]+\) · vector #\d+/)
      .first()
      .waitFor();
    await hybrid.getByRole('listitem').first().getByRole('button', { name: 'Show the section' }).click();
    await hybrid.locator('blockquote').first().waitFor();
    await page.screenshot({ path: path.join(artifacts, 'knowledge.png'), fullPage: true });

    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('in the desktop app, adds files picked in the native dialog by their paths', async () => {
    const picked = path.join(folder, 'printer.md');
    await writeFile(picked, '# Printer\n\nThe lobby printer takes badge print jobs.');
    const { context, page, problems } = await openPage(browser);
    // Stands in for the preload's window.airdesk (electron/preload.ts): the dialog "returns" one path.
    await page.addInitScript({
      content: `window.airdesk = { openFiles: async (request) => {
        window.openFilesRequest = request;
        return [${JSON.stringify(picked)}];
      } };`,
    });
    await page.goto(server.consoleUrl);
    await page.getByRole('heading', { level: 1, name: 'Inbox', exact: true }).waitFor();
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'Knowledge' })
      .click();
    await page.getByRole('button', { name: 'Add from this computer…' }).click();
    await page.getByText(/1 added, 0 updated, 0 unchanged; 1 passage indexed/).waitFor();
    await page
      .getByRole('table', { name: 'Documents' })
      .getByRole('row', { name: /Printer.*Uploads/ })
      .waitFor();
    expect(await page.evaluate('window.openFilesRequest')).toMatchObject({
      multiple: true,
      extensions: expect.arrayContaining(['md', 'pdf', 'docx']) as string[],
    });
    expect(problems.list).toEqual([]);
    await context.close();
  });

  it('shows a large upload going up: the bar moves through values between 0 and 100, then reaches 100', async () => {
    // About 200 KB of made-up inventory notes (no refund words: the search test above is not disturbed).
    const sections = Array.from(
      { length: 640 },
      (_, i) =>
        `## Shelf ${i}\n\nAisle ${i % 37} holds pallet ${i * 7} of blue widgets; count it on day ${i % 28} ` +
        `and note the number ${i * 13} in the stock ledger next to bin ${i % 91}.\n` +
        'Spare parts wait in the back room until the morning shift moves them to the loading bay.\n'.repeat(
          2,
        ),
    );
    const big = path.join(folder, 'inventory.md');
    await writeFile(big, `# Inventory notes\n\n${sections.join('\n')}`);
    const { context, page, problems } = await openPage(browser);
    await page.addInitScript({ content: recordProgress });
    // On loopback the bytes go up in one go, and React may render the 100 % and the server's verdict together:
    // the upload is throttled to ~400 KB/s so the bar has values to show (the real network case).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    await page.goto(server.consoleUrl);
    await page.getByRole('heading', { level: 1, name: 'Inbox', exact: true }).waitFor();
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'Knowledge' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Knowledge', exact: true }).waitFor();
    await page.getByLabel('Files to add').setInputFiles([big]);
    await page
      .getByRole('list', { name: 'Uploads' })
      .getByRole('listitem')
      .filter({ hasText: 'inventory.md' })
      .filter({ hasText: 'Added' })
      .waitFor({ timeout: 60_000 });
    const seen = await page.evaluate<number[]>(`window.progressSeen`);
    expect(
      seen.filter((p) => p > 0 && p < 100),
      `progress seen: ${seen.join(', ')}`,
    ).not.toEqual([]);
    expect(seen, `progress seen: ${seen.join(', ')}`).toContain(100);
    expect(await page.getByRole('progressbar').count()).toBe(0);
    expect(problems.list).toEqual([]);
    await context.close();
  }, 120_000);
});
