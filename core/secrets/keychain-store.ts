/**
 * Secrets in the OS keychain through keytar: the Secret Service (GNOME Keyring, KWallet) on Linux, Keychain on
 * macOS, Credential Vault on Windows. Service `airdesk`, account `<tenant>/<name>`.
 *
 * keytar is an optional dependency with a native module: it is loaded lazily, and when it is not installed, its
 * binary does not load, or no keychain service answers (no D-Bus session on a headless server, a locked keyring
 * nobody can unlock), `openKeychainStore` says why instead of returning a store, and the caller falls back.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { TenantId } from '../contract/tenant.js';
import { checkSecretName, checkSecretValue, checkTenant, formatSecretRef, nameInTenant } from './refs.js';

/** The part of keytar's API we use (declared here so type-checking does not need the optional package). */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export const keychainService = 'airdesk';
/** Tenant ids never start with a dot, so the probe's account cannot collide with a real secret. */
const probeAccount = '.airdesk-probe';

export type KeytarLoad = { ok: true; keytar: KeytarApi } | { ok: false; reason: string };

/** Imports keytar if it is installed and its native module loads on this machine. */
export async function loadKeytar(): Promise<KeytarLoad> {
  // A computed specifier: keytar is optional, so neither tsc nor a bundler may insist on finding it.
  const specifier = 'keytar';
  try {
    const mod = (await import(specifier)) as { default?: KeytarApi } & Partial<KeytarApi>;
    const keytar = mod.default ?? (mod as KeytarApi);
    if (typeof keytar.getPassword !== 'function') return { ok: false, reason: 'keytar has no getPassword' };
    return { ok: true, keytar };
  } catch (error) {
    return {
      ok: false,
      reason: `keytar is not installed or its native module does not load (${message(error)})`,
    };
  }
}

export interface KeychainStoreOptions {
  service?: string;
  /** How long the probe may take before the keychain counts as unavailable (a prompt nobody answers). */
  probeTimeoutMs?: number;
  /** Per-call limit afterwards. */
  callTimeoutMs?: number;
}

export type KeychainOpen = { ok: true; store: KeychainSecretStore } | { ok: false; reason: string };

/**
 * A keychain store if the keychain works here, else why not. The probe reads, writes, reads back and deletes a
 * throwaway entry: a read alone is not enough, because a locked GNOME keyring with no one to unlock it answers
 * reads with "not found" and refuses only writes ("Cannot create an item in a locked collection").
 */
export async function openKeychainStore(options: KeychainStoreOptions = {}): Promise<KeychainOpen> {
  const loaded = await loadKeytar();
  if (!loaded.ok) return loaded;
  const { keytar } = loaded;
  const service = options.service ?? keychainService;
  const timeout = options.probeTimeoutMs ?? 5_000;
  try {
    await withTimeout(keytar.getPassword(service, probeAccount), timeout, 'reading');
    const token = randomBytes(16).toString('hex');
    await withTimeout(keytar.setPassword(service, probeAccount, token), timeout, 'writing');
    const back = await withTimeout(keytar.getPassword(service, probeAccount), timeout, 'reading back');
    await withTimeout(keytar.deletePassword(service, probeAccount), timeout, 'deleting');
    if (back !== token) return { ok: false, reason: 'the OS keychain did not return what was written to it' };
  } catch (error) {
    return { ok: false, reason: `the OS keychain is not usable here (${message(error)})` };
  }
  return { ok: true, store: new KeychainSecretStore(keytar, service, options.callTimeoutMs ?? 30_000) };
}

export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  constructor(
    private readonly keytar: KeytarApi,
    readonly service: string = keychainService,
    private readonly callTimeoutMs = 30_000,
  ) {}

  async put(tenant: TenantId, name: string, value: string): Promise<string> {
    checkTenant(tenant);
    checkSecretName(name);
    checkSecretValue(value);
    await this.call('store a secret in', () =>
      this.keytar.setPassword(this.service, `${tenant}/${name}`, value),
    );
    return formatSecretRef(tenant, name);
  }

  async get(tenant: TenantId, ref: string): Promise<string | null> {
    const name = nameInTenant(tenant, ref);
    return this.call('read a secret from', () => this.keytar.getPassword(this.service, `${tenant}/${name}`));
  }

  async delete(tenant: TenantId, ref: string): Promise<void> {
    const name = nameInTenant(tenant, ref);
    await this.call('delete a secret from', () =>
      this.keytar.deletePassword(this.service, `${tenant}/${name}`),
    );
  }

  async deleteTenant(tenant: TenantId): Promise<void> {
    checkTenant(tenant);
    const prefix = `${tenant}/`;
    const credentials = await this.call('list the secrets in', () =>
      this.keytar.findCredentials(this.service),
    );
    for (const { account } of credentials) {
      if (!account.startsWith(prefix)) continue;
      await this.call('delete a secret from', () => this.keytar.deletePassword(this.service, account));
    }
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(work(), this.callTimeoutMs, what);
    } catch (error) {
      // keytar's messages come from the OS ("Cannot autolaunch D-Bus ...") and never contain the value.
      throw new AppError('unavailable', `could not ${what} the OS keychain: ${message(error)}`, {
        cause: error,
      });
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
