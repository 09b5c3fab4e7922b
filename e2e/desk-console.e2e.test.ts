import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantRoute } from '../core/contract/console-api.js';
import {
  conversationDetailSchema,
  conversationListSchema,
  conversationRoute,
  deskRoutes,
  type ConversationSummary,
} from '../core/contract/desk-api.js';
import { createWidgetKey } from '../core/desk/widget-keys.js';
import { KnowledgeBase } from '../core/knowledge/knowledge-base.js';
import { runIngest } from '../core/knowledge/pipeline/ingest-run.js';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.js';
import { launchChromium, openPage } from './support/browser.js';
import { startServer, stopServer, type ServerUnderTest } from './support/server.js';

/**
 * The agent console's desk against the real server: a tenant with a one-page help centre (public), visitors
 * writing through the widget API /v1, and Debian's chromium driving the Inbox, a conversation and Escalations.
 * Drafts come from the extractive composer (no generator model), which is all the UI needs.
 */
const artifacts = path.join(import.meta.dirname, 'artifacts');
const site = 'http://shop.example';
const helpCentre = `# Refunds

## How long a refund takes

Refunds are paid back to the original card within 5 business days after the parcel reaches our warehouse.
You can follow the refund under Orders, then Returns.

## Damaged parcels

If a parcel arrives damaged, send a photo from the order page and we ship a replacement the same day.
`;

let server: ServerUnderTest;
let browser: Browser;
let widgetKey: string;
let kbDir: string;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  const home = await mkdtemp(path.join(tmpdir(), 'airdesk-e2e-desk-'));
  kbDir = await mkdtemp(path.join(tmpdir(), 'airdesk-e2e-desk-kb-'));
  await writeFile(path.join(kbDir, 'refunds.md'), helpCentre);
  const store = openSqliteStore(home);
  await store.tenants.create({ id: 'acme', name: 'Acme Retail' });
  const kb = new KnowledgeBase({ store, embedder: null });
  await runIngest(kb, { tenant: 'acme', paths: [kbDir], source: 'help' });
  for (const doc of await store.knowledge.listDocuments('acme', { limit: 100 })) {
    await kb.setPublic('acme', doc.id, true);
  }
  widgetKey = (await createWidgetKey(store, 'acme', [site])).key;
  await kb.close();
  await store.close();
  server = await startServer(randomBytes(24).toString('base64url'), 60_000, {
    home,
    env: { AIRDESK_EMBEDDER: 'none', AIRDESK_GENERATOR: 'none' },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rm(kbDir, { recursive: true, force: true });
  if (server) expect(await stopServer(server), server.stderr()).toBe(0);
});

/** The widget API as the widget on the customer's site calls it. */
async function widget(method: string, route: string, body?: unknown, token?: string): Promise<unknown> {
  const response = await fetch(server.listening.widget + route, {
    method,
    headers: {
      authorization: `Bearer ${widgetKey}`,
      origin: site,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { 'x-visitor-token': token } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function visitorAsks(name: string, question: string): Promise<{ id: string; token: string }> {
  const started = (await widget('POST', '/v1/conversations', { visitor: { name } })) as {
    conversationId: string;
    visitorToken: string;
  };
  await widget(
    'POST',
    `/v1/conversations/${started.conversationId}/messages`,
    { text: question },
    started.visitorToken,
  );
  return { id: started.conversationId, token: started.visitorToken };
}

async function visitorSees(conversation: { id: string; token: string }) {
  return (await widget(
    'GET',
    `/v1/conversations/${conversation.id}/messages`,
    undefined,
    conversation.token,
  )) as {
    status: string;
    messages: { role: string; text: string }[];
  };
}

/** Waits until the desk drafted a reply for the conversation (the engine runs after the 202). */
async function draftReady(id: string): Promise<ConversationSummary> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(server.origin + tenantRoute(deskRoutes.conversations, 'acme'), {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const list = conversationListSchema.parse(await response.json());
    const found = list.conversations.find((c) => c.id === id);
    if (found?.hasDraft) return found;
    if (Date.now() > deadline)
      throw new Error(`no draft for ${id}: ${JSON.stringify(found)}\n${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The id of the focused element (a string: e2e/ is compiled without the DOM library). */
const focusedId = 'document.activeElement && document.activeElement.id';

async function conversationDetail(id: string) {
  const response = await fetch(server.origin + conversationRoute(deskRoutes.conversation, 'acme', id), {
    headers: { authorization: `Bearer ${server.token}` },
  });
  return conversationDetailSchema.parse(await response.json());
}

function row(page: Page, name: string) {
  return page.getByRole('list', { name: 'Conversation list' }).getByRole('link').filter({ hasText: name });
}

describe('the agent console desk, against the real server', () => {
  it('works a conversation from the inbox: draft, edit and send, note, assign, escalate, resolve', async () => {
    const maria = await visitorAsks('Maria Lopez', 'Where can I follow my return in my account?');
    await draftReady(maria.id);

    const { page, problems } = await openPage(browser);
    // Without an embedding model answer memory is off: the similar-answers box asks once, gets 503, stays away.
    const memoryOff: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 503 && response.url().includes('/answers/similar'))
        memoryOff.push(response.url());
    });
    // The desktop shell's notify, as its preload would expose it: the console calls it on a new escalation.
    await page.addInitScript({
      content: `window.notified = []; window.airdesk = { notify: async (n) => { window.notified.push(n); } };`,
    });
    await page.goto(server.consoleUrl);
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    // The first visit asks who is answering, once.
    await page.getByLabel('Your name').fill('Dana');
    await page.getByRole('button', { name: 'Start answering' }).click();
    await page.getByText('Answering as').waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    const mariaRow = row(page, 'Maria Lopez');
    await expect.poll(() => mariaRow.textContent()).toContain('Draft ready');
    expect(await mariaRow.textContent()).toMatch(/1 unread/);
    await page.screenshot({ path: path.join(artifacts, 'desk-inbox.png') });

    // A second visitor writes while the inbox is open: the row arrives over the live event stream.
    const omar = await visitorAsks('Omar Haddad', 'My parcel arrived damaged, what now?');
    await row(page, 'Omar Haddad').waitFor({ timeout: 15_000 });

    // Open Maria's conversation: the draft with confidence and citations, and opening it marks it read.
    await mariaRow.click();
    expect(new URL(page.url()).pathname).toBe(`/inbox/${maria.id}`);
    const conversation = page.getByRole('region', { name: 'Maria Lopez' });
    await conversation.getByRole('heading', { name: 'AI draft' }).waitFor();
    await conversation.getByText('Confidence').waitFor();
    await expect.poll(() => mariaRow.textContent()).not.toMatch(/unread/);
    const citations = conversation.getByRole('list', { name: 'Citations' });
    await citations.getByRole('button').first().click();
    const passage = page.getByRole('dialog');
    await passage.getByText('5 business days').first().waitFor();
    await page.screenshot({ path: path.join(artifacts, 'desk-passage.png') });
    await passage.getByRole('button', { name: 'Close' }).click();

    // Edit the draft and send it; the visitor receives the agent's words.
    const editor = conversation.getByLabel('Draft reply to the visitor');
    const reply =
      'Hi Maria, your refund reaches your card within 5 business days after we receive the parcel.';
    await editor.fill(reply);
    await conversation.getByRole('button', { name: /^Send/ }).click();
    await conversation.locator('.desk-msg-agent').filter({ hasText: reply }).waitFor();
    const seen = await visitorSees(maria);
    expect(seen.messages.filter((m) => m.role === 'agent').map((m) => m.text)).toContain(reply);

    // The agent starts a follow-up; the visitor answers meanwhile: it appears live, and is read at once. The
    // new AI draft does not wipe what the agent typed: the editor offers it instead.
    await conversation.getByRole('heading', { name: 'Reply', exact: true }).waitFor();
    const composing = 'Good question, let me look up the gift policy';
    const replyEditor = conversation.locator('#desk-reply');
    await replyEditor.fill(composing);
    await widget(
      'POST',
      `/v1/conversations/${maria.id}/messages`,
      { text: 'Thanks, and can I return a gift?' },
      maria.token,
    );
    await conversation
      .locator('.desk-msg-visitor')
      .filter({ hasText: 'can I return a gift' })
      .waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await conversationDetail(maria.id)).conversation.unread).toBe(0);
    const newDraft = conversation.getByRole('status').filter({ hasText: 'A new draft is available' });
    await newDraft.waitFor({ timeout: 15_000 });
    expect(await replyEditor.inputValue()).toBe(composing);
    await page.screenshot({ path: path.join(artifacts, 'desk-new-draft.png') });
    // Send waits for the choice: the agent's text must not go out claiming the new draft and its sources.
    expect(await conversation.getByRole('button', { name: /^Send/ }).isDisabled()).toBe(true);
    await newDraft.getByRole('button', { name: 'Replace my text' }).click();
    const pending = (await conversationDetail(maria.id)).drafts.find((d) => d.status === 'pending');
    expect(pending).toBeDefined();
    await expect.poll(() => replyEditor.inputValue()).toBe(pending!.text);
    expect(await newDraft.count()).toBe(0);

    // An internal note, with the n shortcut; agents see it in the transcript, the visitor never does.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('n');
    await expect.poll(() => page.evaluate(focusedId)).toBe('desk-note');
    await page.keyboard.type('Customer is a VIP, check the parcel scan.');
    await page.keyboard.press('Control+Enter');
    await conversation.locator('.desk-msg-note').filter({ hasText: 'Internal note · Dana' }).waitFor();
    expect(JSON.stringify(await visitorSees(maria))).not.toContain('VIP');
    await conversation.getByRole('heading', { name: 'AI draft' }).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'desk-conversation.png') });

    // Assign to me, then the Mine / Others filters.
    await conversation.getByRole('button', { name: /Assign to me/ }).click();
    await conversation.getByText('Assigned to you').waitFor();
    const assigned = page.getByRole('group', { name: 'Assigned to' });
    await assigned.getByRole('button', { name: 'Mine' }).click();
    await mariaRow.waitFor();
    await expect.poll(() => row(page, 'Omar Haddad').count()).toBe(0);
    await assigned.getByRole('button', { name: 'Others' }).click();
    await expect.poll(() => mariaRow.count()).toBe(0);
    await assigned.getByRole('button', { name: 'All' }).click();
    await mariaRow.waitFor();

    // Search narrows the list to the matching conversation.
    await page.getByLabel('Search conversations').fill('damaged');
    await expect.poll(() => mariaRow.count()).toBe(0);
    await row(page, 'Omar Haddad').waitFor();
    await page.getByLabel('Search conversations').fill('');
    await mariaRow.waitFor();

    // Escalate with the x shortcut, then find it on the Escalations page.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('x');
    const priority = page.getByLabel('Escalation priority');
    await expect.poll(() => page.evaluate(focusedId)).toBe('desk-escalate-priority');
    await priority.selectOption('urgent');
    await page.getByLabel(/Note for the person/).fill('Refund dispute, needs billing.');
    await page.getByRole('button', { name: 'Escalate', exact: true }).click();
    await conversation.getByText('Waiting for a person').first().waitFor();
    await expect
      .poll(() => page.evaluate('JSON.stringify(window.notified)'))
      .toContain('"title":"Urgent escalation"');
    await page.getByRole('navigation').getByRole('link', { name: 'Escalations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Escalations' }).waitFor();
    const escalation = page.getByRole('row').filter({ hasText: 'Maria Lopez' });
    await escalation.waitFor();
    expect(await escalation.textContent()).toContain('Urgent');
    expect(await escalation.textContent()).toMatch(/\d+ (s|min)/);
    await page.screenshot({ path: path.join(artifacts, 'desk-escalations.png') });

    // Back to the conversation from the queue, and resolve it with Shift+R.
    await escalation.getByRole('link', { name: 'Maria Lopez' }).click();
    await conversation.getByRole('heading', { name: 'Maria Lopez' }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('Shift+R');
    await conversation.getByRole('button', { name: /Resolved/ }).waitFor();
    expect((await visitorSees(maria)).status).toBe('resolved');
    // The inbox shows unresolved conversations by default; the resolved one is under Resolved (and All).
    const statusTabs = page.getByRole('group', { name: 'Status' });
    expect(await statusTabs.getByRole('button', { name: /^Unresolved/ }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await expect.poll(() => mariaRow.count()).toBe(0);
    await statusTabs.getByRole('button', { name: /^Resolved/ }).click();
    await mariaRow.waitFor();
    await statusTabs.getByRole('button', { name: /^All/ }).click();
    await mariaRow.waitFor();
    await row(page, 'Omar Haddad').waitFor();
    await statusTabs.getByRole('button', { name: /^Unresolved/ }).click();
    await expect.poll(() => mariaRow.count()).toBe(0);

    // j / k move between conversations; ? shows the shortcut help.
    await page.keyboard.press('j');
    await expect.poll(() => new URL(page.url()).pathname).not.toBe(`/inbox/${maria.id}`);
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);

    // Omar: regenerate the draft with r, then approve it unchanged with a.
    await row(page, 'Omar Haddad').click();
    const omarView = page.getByRole('region', { name: 'Omar Haddad' });
    await omarView.getByRole('heading', { name: 'AI draft' }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('r');
    await expect.poll(async () => (await conversationDetail(omar.id)).drafts.length).toBe(2);
    await omarView.getByRole('button', { name: /Approve & send/ }).waitFor();
    const draftText = await omarView.getByLabel('Draft reply to the visitor').inputValue();
    await page.keyboard.press('a');
    await omarView.getByRole('heading', { name: 'Reply', exact: true }).waitFor();
    const omarSees = await visitorSees(omar);
    expect(omarSees.messages.map((m) => m.text)).toContain(draftText.trim());

    expect(memoryOff.length).toBeLessThanOrEqual(1);
    expect(problems.list.filter((p) => !p.includes('status of 503'))).toEqual([]);
    expect(problems.list.length).toBe(memoryOff.length);
  }, 120_000);
});
