import type { TenantId } from '../contract/tenant.js';

const tails = new Map<TenantId, Promise<unknown>>();

/**
 * Runs `work` when no other index write of the tenant in this process is running. LanceDB refuses concurrent
 * commits to one table ("Retryable commit conflict") when two syncs of a tenant compact or index at once, so a
 * tenant's index writes take turns; loading from the sources still overlaps.
 */
export async function withTenantIndex<T>(tenant: TenantId, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(tenant) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(work);
  const tail = current.catch(() => {});
  tails.set(tenant, tail);
  try {
    return await current;
  } finally {
    if (tails.get(tenant) === tail) tails.delete(tenant);
  }
}
