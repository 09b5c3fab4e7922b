import { z } from 'zod';

/**
 * A tenant id names a folder on disk, so it is restricted to what is safe as a path segment on every OS:
 * lowercase letters, digits and inner hyphens, at most 63 characters.
 */
export const tenantIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'a tenant id is 1-63 lowercase letters, digits or inner hyphens (e.g. "acme" or "acme-eu")',
  );

export type TenantId = z.infer<typeof tenantIdSchema>;

export const tenantSchema = z.object({
  id: tenantIdSchema,
  name: z.string().min(1).max(200),
  createdAt: z.string(),
});

export type Tenant = z.infer<typeof tenantSchema>;

export const createTenantSchema = z.object({
  id: tenantIdSchema,
  name: z.string().trim().min(1).max(200).optional(),
});

export type CreateTenantInput = z.infer<typeof createTenantSchema>;
