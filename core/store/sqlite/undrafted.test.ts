import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageRole } from '../../contract/conversation.js';
import type { Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { openSqliteStore } from './sqlite-store.js';

const tick = () => new Promise((r) => setTimeout(r, 3)); // distinct created_at timestamps

describe('undrafted visitor messages (SQLite)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(async () => {
    t = tempDir();
    store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
  });
  afterEach(async () => {
    await store.close();
    t.cleanup();
  });

  /** A conversation with the given messages, oldest first; returns it and its message ids. */
  async function conversation(turns: [MessageRole, string][], tenant = 'acme') {
    const c = await store.conversations.create(tenant, { channel: 'widget' });
    const ids: string[] = [];
    for (const [role, text] of turns) {
      ids.push((await store.conversations.appendMessage(tenant, c.id, { role, text })).id);
      await tick();
    }
    return { id: c.id, ids };
  }

  const undrafted = (since = '1970-01-01T00:00:00.000Z', limit = 100, conversationId?: string) =>
    store.desk.undraftedVisitorMessages('acme', {
      since,
      limit,
      ...(conversationId ? { conversationId } : {}),
    });

  it('finds the latest visitor message of each unanswered conversation, newest first', async () => {
    const older = await conversation([['visitor', 'first question']]);
    const twice = await conversation([
      ['visitor', 'hello?'],
      ['visitor', 'anyone there?'],
    ]);
    // A handoff notice after the message is not an answer to it.
    const noticed = await conversation([
      ['visitor', 'I need a person'],
      ['system', 'A person will join shortly.'],
    ]);
    const found = await undrafted();
    expect(found.map((m) => m.id)).toEqual([noticed.ids[0], twice.ids[1], older.ids[0]]);
    expect(found[1]).toMatchObject({ conversationId: twice.id, role: 'visitor', text: 'anyone there?' });
    expect((await undrafted(undefined, 1)).map((m) => m.id)).toEqual([noticed.ids[0]]);
    expect((await undrafted(undefined, 10, twice.id)).map((m) => m.id)).toEqual([twice.ids[1]]);
    // Tenant-scoped: the other tenant's file has none of these.
    expect(
      await store.desk.undraftedVisitorMessages('globex', { since: '1970-01-01T00:00:00.000Z', limit: 10 }),
    ).toEqual([]);
  });

  it('leaves out drafted, replied, resolved and older messages', async () => {
    const drafted = await conversation([['visitor', 'drafted']]);
    await store.desk.saveDraft('acme', {
      conversationId: drafted.id,
      messageId: drafted.ids[0]!,
      text: 'an answer',
      citations: [],
      confidence: 0.9,
      escalate: false,
      priority: null,
      reasons: [],
      unsupported: [],
    });
    // A draft an agent discarded still means the message was dealt with.
    const discarded = await conversation([['visitor', 'discarded']]);
    const draft = await store.desk.saveDraft('acme', {
      conversationId: discarded.id,
      messageId: discarded.ids[0]!,
      text: 'an answer',
      citations: [],
      confidence: 0.9,
      escalate: false,
      priority: null,
      reasons: [],
      unsupported: [],
    });
    await store.desk.setDraftStatus('acme', draft.id, 'discarded');
    await conversation([
      ['visitor', 'auto-answered'],
      ['assistant', 'Open Settings.'],
    ]);
    await conversation([
      ['visitor', 'agent-answered'],
      ['agent', 'Done for you.'],
      ['system', 'note'],
    ]);
    const resolved = await conversation([['visitor', 'resolved']]);
    await store.conversations.setStatus('acme', resolved.id, 'resolved');
    // An earlier visitor message with a draft does not hide a later one without.
    const followUp = await conversation([
      ['visitor', 'first'],
      ['assistant', 'answer'],
      ['visitor', 'follow-up'],
    ]);
    expect((await undrafted()).map((m) => m.text)).toEqual(['follow-up']);
    const cutOff = new Date().toISOString();
    await tick();
    const recent = await conversation([['visitor', 'recent']]);
    expect((await undrafted(cutOff)).map((m) => m.id)).toEqual([recent.ids[0]]);
    expect((await undrafted()).map((m) => m.id)).toEqual([recent.ids[0], followUp.ids[2]]);
  });

  it("keeps a message answered only by an agent's reply to an earlier message's draft", async () => {
    const c = await conversation([['visitor', 'first']]);
    const first = await store.desk.saveDraft('acme', {
      conversationId: c.id,
      messageId: c.ids[0]!,
      text: 'an answer',
      citations: [],
      confidence: 0.9,
      escalate: false,
      priority: null,
      reasons: [],
      unsupported: [],
    });
    // The visitor writes again; the engine refuses that one; then the agent sends the first draft.
    const newer = await store.conversations.appendMessage('acme', c.id, { role: 'visitor', text: 'newer' });
    await store.desk.sendAgentReply('acme', {
      conversationId: c.id,
      text: 'an answer',
      citations: [],
      draftId: first.id,
    });
    expect((await undrafted()).map((m) => m.id)).toEqual([newer.id]);
    // A free-text reply after it answers it.
    await store.desk.sendAgentReply('acme', {
      conversationId: c.id,
      text: 'And the newer one.',
      citations: [],
    });
    expect(await undrafted()).toEqual([]);
  });
});
