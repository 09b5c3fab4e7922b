import { z } from 'zod';
import { tenantSchema } from './tenant.js';

/**
 * The console API (served on the console listener under /api). The renderer and the desktop shell use these
 * shapes; the server validates against them and publishes them as OpenAPI at /api/openapi.json.
 */
export const signInRequestSchema = z.object({ token: z.string().min(1).max(512) });
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export const sessionInfoSchema = z.object({
  signedIn: z.literal(true),
  /** `token` when signed in with the console token; `user` once SSO / user accounts exist. */
  method: z.enum(['token', 'user']),
  expiresAt: z.string(),
  version: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const tenantListSchema = z.object({ tenants: z.array(tenantSchema) });
export type TenantList = z.infer<typeof tenantListSchema>;

export const healthSchema = z.object({ ok: z.literal(true) });

/** The one JSON line `airdesk serve` prints on stdout once both listeners are up (SPEC.md). */
export const listeningEventSchema = z.object({
  event: z.literal('listening'),
  console: z.string().url(),
  widget: z.string().url(),
});
export type ListeningEvent = z.infer<typeof listeningEventSchema>;

/** Console routes, in one place so the server, the OpenAPI file and the renderer agree. */
export const consoleRoutes = {
  session: '/api/session',
  tenants: '/api/tenants',
  openapi: '/api/openapi.json',
  metrics: '/metrics',
  health: '/healthz',
} as const;

/** Name of the session cookie the console sets after a token sign-in. */
export const sessionCookieName = 'airdesk_session';

/**
 * The console's Content-Security-Policy: everything it needs is bundled and served by its own origin, so nothing
 * else may load; inline styles are the one concession (React `style` props). Sent as a header by the console
 * listener, added again by the desktop shell, and (without `frame-ancestors`, which a <meta> cannot carry)
 * written into the built page.
 */
export const consoleCspDirectives = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
] as const;

export const consoleCsp = consoleCspDirectives.join('; ');
