import { tenantIdSchema, type TenantId } from '../../contract/tenant.js';
import { UsageError } from '../usage-error.js';

/** `--tenant ID` is required by every knowledge command; a missing or malformed one is a usage error. */
export function requireTenant(value: string | undefined): TenantId {
  if (value === undefined) throw new UsageError('--tenant ID is required (see "airdesk tenants list")');
  const parsed = tenantIdSchema.safeParse(value);
  if (!parsed.success)
    throw new UsageError(`"${value}" is not a valid tenant id: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
