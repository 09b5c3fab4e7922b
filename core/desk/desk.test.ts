import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-home.js';
import { RateLimiter } from './rate-limit.js';
import { cleanMessageText } from './text.js';
import { loadVisitorSecret, VisitorTokens, visitorSecretFile } from './visitor-tokens.js';
import { normalizeOrigin } from './widget-keys.js';

describe('visitor tokens', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('keeps one 0600 secret per install', () => {
    const secret = loadVisitorSecret(t.dir);
    expect(secret.length).toBe(32);
    expect(fs.statSync(visitorSecretFile(t.dir)).mode & 0o777).toBe(0o600);
    expect(loadVisitorSecret(t.dir).equals(secret)).toBe(true);
  });

  it('binds tenant and conversation, expires, and refuses forgeries', () => {
    let now = 1_000_000;
    const tokens = new VisitorTokens(loadVisitorSecret(t.dir), 60_000, () => now);
    const token = tokens.issue('acme', 'c1');
    expect(tokens.check(token, 'acme', 'c1')).toEqual({ ok: true });
    expect(tokens.check(token, 'acme', 'c2')).toEqual({ ok: false, reason: 'foreign' });
    expect(tokens.check(token, 'globex', 'c1')).toEqual({ ok: false, reason: 'foreign' });
    const other = new VisitorTokens(Buffer.alloc(32, 1), 60_000, () => now);
    expect(other.check(token, 'acme', 'c1')).toEqual({ ok: false, reason: 'invalid' });
    const [body] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { c: string };
    claims.c = 'c2';
    const tampered = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${token.split('.')[1]}`;
    expect(tokens.check(tampered, 'acme', 'c2')).toEqual({ ok: false, reason: 'invalid' });
    expect(tokens.check('garbage', 'acme', 'c1')).toEqual({ ok: false, reason: 'invalid' });
    now += 60_001;
    expect(tokens.check(token, 'acme', 'c1')).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('rate limiter', () => {
  it('allows a burst, then says how long to wait, and refills', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 1 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1000);
    expect(limiter.take('b')).toBe(0);
    now += 1000;
    expect(limiter.take('a')).toBe(0);
  });
});

describe('message text', () => {
  it('keeps markup as text, newlines and tabs; strips other control characters', () => {
    expect(cleanMessageText('<b>x</b>\u0000\u001b[31m\r\n\ty\u202e')).toBe('<b>x</b>[31m\n\ty');
  });
  it('normalises origins', () => {
    expect(normalizeOrigin('http://intranet.local/')).toBe('http://intranet.local');
    expect(() => normalizeOrigin('ftp://x')).toThrow(/http/);
  });
});

describe('desk service', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('keeps the visitor message when the engine fails, and answers the next one', async () => {
    const { openSqliteStore } = await import('../store/sqlite/sqlite-store.js');
    const { DeskService } = await import('./desk-service.js');
    const store = openSqliteStore(t.dir);
    try {
      await store.tenants.create({ id: 'acme' });
      let calls = 0;
      // A stand-in engine whose first run fails the way a broken model would.
      const desk = new DeskService({
        store,
        engine: {
          ask: () => {
            calls += 1;
            return Promise.reject(new Error('model crashed'));
          },
        },
      });
      const conversation = await desk.startConversation('acme');
      const { message, done } = await desk.postVisitorMessage('acme', conversation.id, 'hello?');
      await expect(done).resolves.toBeUndefined();
      expect(calls).toBe(1);
      expect((await desk.messages('acme', conversation.id)).map((m) => m.id)).toEqual([message.id]);
      expect(await desk.drafts('acme', { conversationId: conversation.id })).toEqual([]);
      expect((await desk.conversation('acme', conversation.id)).status).toBe('open');
    } finally {
      await store.close();
    }
  });
});
