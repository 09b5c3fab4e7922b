import type { TenantId } from './tenant.js';

/**
 * Where connector credentials live: the OS keychain (Secret Service, Keychain, Credential Vault) through keytar,
 * or, where no keychain service runs (a headless server), a file encrypted with a key derived from a machine
 * secret and readable only by the user. Never the database, config files or logs. Secrets are tenant-scoped:
 * a reference names its tenant, and a tenant can read only its own.
 */
export interface SecretStore {
  readonly kind: 'keychain' | 'encrypted-file';
  /** Stores (or replaces) a secret and returns the reference kept in the connector's settings. */
  put(tenant: TenantId, name: string, value: string): Promise<string>;
  /** The secret's value; null when it is gone (e.g. the keychain entry was deleted by hand). */
  get(tenant: TenantId, ref: string): Promise<string | null>;
  delete(tenant: TenantId, ref: string): Promise<void>;
  /** Deletes every secret of a tenant (the tenant is being deleted). */
  deleteTenant(tenant: TenantId): Promise<void>;
}
