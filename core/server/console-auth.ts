import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookieName } from '../contract/console-api.js';
import type { ConsoleSession, Store } from '../contract/store.js';

/** How long a browser session opened with the console token lasts. */
export const sessionTtlMs = 12 * 60 * 60 * 1000;

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export type Principal = { kind: 'token' } | { kind: 'session'; session: ConsoleSession };

/** The audit log's actor for a principal: the signed-in user, else the console token. */
export function actorOf(principal: Principal | undefined): string {
  if (principal?.kind === 'session' && principal.session.userId) return `user:${principal.session.userId}`;
  return 'console-token';
}

/** Who is calling: the console token as a bearer, or a session cookie; null when neither is valid. */
export async function authenticate(
  request: FastifyRequest,
  consoleToken: string,
  store: Store,
): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    return sameSecret(header.slice('Bearer '.length).trim(), consoleToken) ? { kind: 'token' } : null;
  }
  const cookie = request.cookies[sessionCookieName];
  if (cookie) {
    const session = await store.sessions.findBySecret(cookie);
    if (session) return { kind: 'session', session };
  }
  return null;
}

export async function openSession(reply: FastifyReply, store: Store): Promise<ConsoleSession> {
  const { session, secret } = await store.sessions.create({ userId: null, ttlMs: sessionTtlMs });
  // Strict same-site and HttpOnly: no other site can ride the session and no page script can read it.
  reply.setCookie(sessionCookieName, secret, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.floor(sessionTtlMs / 1000),
  });
  return session;
}

/**
 * A small fixed-window limit on failed sign-ins: the generated token cannot be guessed, but an admin may set a
 * weak AIRDESK_CONSOLE_TOKEN. Bounded memory: one counter for the whole listener.
 */
export function signInLimiter(maxFailures = 20, windowMs = 60_000) {
  let windowStart = Date.now();
  let failures = 0;
  return {
    blockedForMs(now = Date.now()): number {
      if (now - windowStart >= windowMs) {
        windowStart = now;
        failures = 0;
      }
      return failures >= maxFailures ? windowStart + windowMs - now : 0;
    },
    fail(): void {
      failures += 1;
    },
  };
}
