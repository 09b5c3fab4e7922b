import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../contract/errors.js';
import type { Store, WidgetKeyRecord } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';

export const widgetKeyPrefix = 'pk_';

/** SHA-256 (hex) of a key: all the global database keeps. */
export function hashWidgetKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `scheme://host[:port]` of an http(s) URL, as browsers send it in `Origin`. @throws AppError `invalid_input`. */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('invalid_input', `"${value}" is not an origin; give one like http://intranet.local`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_input', `"${value}" is not an http or https origin`);
  }
  return url.origin;
}

/** Makes a publishable key for a tenant and its allowed origins; the key is shown once, only its hash is kept. */
export async function createWidgetKey(
  store: Store,
  tenantId: TenantId,
  origins: string[],
): Promise<{ key: string; record: WidgetKeyRecord }> {
  if (!(await store.tenants.get(tenantId))) {
    throw new AppError('not_found', `tenant "${tenantId}" does not exist; create it first`);
  }
  const normalized = [...new Set(origins.map(normalizeOrigin))];
  const key = widgetKeyPrefix + randomBytes(24).toString('base64url');
  const record = await store.widgetKeys.create({
    tenantId,
    keyHash: hashWidgetKey(key),
    origins: normalized,
  });
  return { key, record };
}

/** The active key a bearer value names, or null (malformed, unknown or revoked). */
export async function resolveWidgetKey(store: Store, key: string): Promise<WidgetKeyRecord | null> {
  if (!key.startsWith(widgetKeyPrefix) || key.length > 200) return null;
  return store.widgetKeys.findByHash(hashWidgetKey(key));
}
