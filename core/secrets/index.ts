/**
 * Connector credentials: in the OS keychain when one is usable, else in an encrypted file in the data folder
 * (see encrypted-file-store.ts for its threat model). Never in the database, config files or logs in plain text.
 *
 * Which store: `AIRDESK_SECRET_STORE=keychain|file` (an admin's override) wins; then the store this data folder
 * already keeps its secrets in (recorded in secrets/.store.json at the first put, so a later process without a
 * desktop session does not silently start a second, empty store); then `options.prefer`; then the keychain if it
 * answers, else the encrypted file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SecretValue } from '../contract/connector.js';
import { AppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { TenantId } from '../contract/tenant.js';
import { writeFileAtomic } from '../home/atomic-write.js';
import {
  EncryptedFileSecretStore,
  secretsDir,
  type EncryptedFileStoreOptions,
} from './encrypted-file-store.js';
import { openKeychainStore, type KeychainStoreOptions } from './keychain-store.js';

export { EncryptedFileSecretStore, readMachineId } from './encrypted-file-store.js';
export { KeychainSecretStore, loadKeytar, openKeychainStore, keychainService } from './keychain-store.js';
export { formatSecretRef, parseSecretRef, secretRefPrefix } from './refs.js';

export type SecretStoreKind = SecretStore['kind'];

export interface OpenSecretStoreOptions {
  prefer?: SecretStoreKind;
  /** Where AIRDESK_SECRET_STORE is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told why the keychain was passed over, so the caller can log it once (the reason holds no secret). */
  onFallback?: (reason: string) => void;
  keychain?: KeychainStoreOptions;
  encryptedFile?: EncryptedFileStoreOptions;
}

export const secretStoreEnvVar = 'AIRDESK_SECRET_STORE';
const markerName = '.store.json';
const markerSchema = z.object({ kind: z.enum(['keychain', 'encrypted-file']) });

export async function openSecretStore(
  home: string,
  options: OpenSecretStoreOptions = {},
): Promise<SecretStore> {
  const env = options.env ?? process.env;
  const forced = parseOverride(env[secretStoreEnvVar]);
  const recorded = readMarker(home);
  const file = () => remembering(new EncryptedFileSecretStore(home, options.encryptedFile), home, recorded);

  if (forced === 'encrypted-file') return file();
  if (forced === 'keychain' || recorded === 'keychain') {
    const opened = await openKeychainStore(options.keychain);
    if (opened.ok) return remembering(opened.store, home, recorded);
    const why =
      forced === 'keychain'
        ? `${secretStoreEnvVar}=keychain is set`
        : `the connector credentials of ${home} are kept in the OS keychain (${path.join(secretsDir(home), markerName)})`;
    throw new AppError(
      'unavailable',
      `${why}, but ${opened.reason}. Run airdesk where the keychain is reachable (the desktop session that ` +
        `stored them), or set ${secretStoreEnvVar}=file and enter the connector credentials again`,
    );
  }
  if (recorded === 'encrypted-file' || options.prefer === 'encrypted-file') return file();

  const opened = await openKeychainStore(options.keychain);
  if (opened.ok) return remembering(opened.store, home, recorded);
  options.onFallback?.(
    `${opened.reason}; connector credentials go to an encrypted file in ${secretsDir(home)}`,
  );
  return file();
}

function parseOverride(value: string | undefined): SecretStoreKind | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'keychain') return 'keychain';
  if (value === 'file' || value === 'encrypted-file') return 'encrypted-file';
  throw new AppError(
    'invalid_input',
    `${secretStoreEnvVar} must be "keychain" or "file" (found ${JSON.stringify(value.slice(0, 40))})`,
  );
}

function readMarker(home: string): SecretStoreKind | undefined {
  const file = path.join(secretsDir(home), markerName);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return markerSchema.parse(JSON.parse(text)).kind;
  } catch (cause) {
    throw new AppError(
      'corrupt_database',
      `${file} should say where the secrets are kept ({"kind":"keychain"} or {"kind":"encrypted-file"})`,
      { cause },
    );
  }
}

/** Records the store kind at the first successful put, so later processes pick the same store. */
function remembering(store: SecretStore, home: string, recorded: SecretStoreKind | undefined): SecretStore {
  if (recorded !== undefined) return store;
  let done = false;
  return {
    kind: store.kind,
    async put(tenant, name, value) {
      const ref = await store.put(tenant, name, value);
      if (!done) {
        const dir = secretsDir(home);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = path.join(dir, markerName);
        if (!fs.existsSync(file)) writeFileAtomic(file, JSON.stringify({ kind: store.kind }) + '\n', 0o600);
        done = true;
      }
      return ref;
    },
    get: (tenant, ref) => store.get(tenant, ref),
    delete: (tenant, ref) => store.delete(tenant, ref),
    deleteTenant: (tenant) => store.deleteTenant(tenant),
  };
}

/**
 * The plain value of a secret field: `{ env: "VAR" }` from the environment, `{ secretRef }` from the store.
 * Errors name the variable or reference, never a value.
 */
export async function resolveSecretValue(
  value: SecretValue,
  env: NodeJS.ProcessEnv = process.env,
  secrets?: { store: SecretStore; tenant: TenantId },
): Promise<string> {
  if ('env' in value) {
    const resolved = env[value.env];
    if (resolved === undefined || resolved === '') {
      throw new AppError(
        'invalid_input',
        `the environment variable ${value.env} is ${resolved === undefined ? 'not set' : 'empty'}; ` +
          'set it in the environment airdesk runs in, or store the secret in the secret store',
      );
    }
    return resolved;
  }
  if (!secrets) {
    throw new AppError(
      'invalid_input',
      `secret reference ${value.secretRef} needs a secret store to resolve`,
    );
  }
  const resolved = await secrets.store.get(secrets.tenant, value.secretRef);
  if (resolved === null) {
    throw new AppError(
      'not_found',
      `secret ${value.secretRef} is not in the ${secrets.store.kind === 'keychain' ? 'OS keychain' : 'encrypted secrets file'}` +
        ' (deleted by hand, or stored on another machine); enter the credential again',
    );
  }
  return resolved;
}
