import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../home/atomic-write.js';
import type { TenantId } from '../contract/tenant.js';

/** The per-install HMAC secret for visitor tokens, in the data folder, 0600. */
export const visitorSecretFile = (home: string) => path.join(home, 'widget-token.key');

export const defaultVisitorTokenTtlMs = 24 * 60 * 60 * 1000;

/** Reads the install's visitor-token secret, making it (32 random bytes, mode 0600) on first use. */
export function loadVisitorSecret(home: string): Buffer {
  const file = visitorSecretFile(home);
  try {
    const secret = fs.readFileSync(file);
    if (secret.length >= 32) {
      if ((fs.statSync(file).mode & 0o777) !== 0o600) fs.chmodSync(file, 0o600);
      return secret;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, secret, 0o600);
  return secret;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired' | 'foreign' };

interface Claims {
  t: TenantId;
  c: string;
  e: number;
}

/**
 * Visitor tokens: `base64url(claims).base64url(HMAC-SHA256)`, binding one tenant and one conversation until an
 * expiry. They need no storage; rotating the secret file signs every visitor out.
 */
export class VisitorTokens {
  constructor(
    private readonly secret: Buffer,
    private readonly ttlMs = defaultVisitorTokenTtlMs,
    private readonly now: () => number = Date.now,
  ) {}

  issue(tenant: TenantId, conversationId: string): string {
    const claims: Claims = { t: tenant, c: conversationId, e: this.now() + this.ttlMs };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  check(token: string, tenant: TenantId, conversationId: string): TokenCheck {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined || token.length > 1000)
      return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'invalid' };
    }
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof claims.e !== 'number' || claims.e <= this.now()) return { ok: false, reason: 'expired' };
    if (claims.t !== tenant || claims.c !== conversationId) return { ok: false, reason: 'foreign' };
    return { ok: true };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
