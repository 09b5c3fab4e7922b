/**
 * The secret store used where no OS keychain service runs (a headless Linux server, a container, a service
 * account without a desktop session).
 *
 * Layout inside the data folder (AIRDESK_HOME):
 *   secrets/            0700
 *   secrets/.key        0600  32 random bytes, made once per install
 *   secrets/.keyinfo.json 0600  scrypt salt and parameters, whether the machine id is part of the key, a key check
 *   secrets/<tenant>.json 0600  that tenant's secrets, each sealed on its own with AES-256-GCM
 *
 * key = scrypt(machine id ‖ .key, salt). Each secret gets a fresh 12-byte IV, and its reference
 * (`airdesk-secret:<tenant>/<name>`) is the GCM associated data, so a sealed value moved to another name or
 * another tenant's file fails authentication instead of being handed out under the wrong name.
 *
 * Threat model, honestly:
 * - PROTECTS against the data folder (or a backup, a support bundle, a copied disk folder) being read on another
 *   machine: without this machine's /etc/machine-id the key cannot be derived, and the key check in .keyinfo.json
 *   says so plainly instead of returning garbage.
 * - PROTECTS against a secrets file leaking on its own (pasted into a ticket, caught in a partial backup): it
 *   holds only ciphertext; the key also needs `.key`, which is another file.
 * - Does NOT protect against root on this machine, nor against any process running as the airdesk user: they
 *   can read `.key` and /etc/machine-id and derive the key exactly as airdesk does. File modes (0700/0600) are
 *   what keep other local users out, as for ~/.ssh.
 * - Does NOT protect against a full-disk image taken with /etc/machine-id in it, nor cloned VMs that share a
 *   machine id. /etc/machine-id is world-readable: it is a binding to the machine, not a secret on its own.
 * - Where there is no machine id (Windows, macOS, some containers) the key comes from `.key` alone, recorded as
 *   binding "none" in .keyinfo.json, and a copied folder decrypts anywhere; prefer the OS keychain there.
 * Consequence: moving a data folder to a new machine on purpose means entering connector credentials again.
 *
 * scrypt is the key-derivation function the design names; the input already holds 256 random bits, so its cost
 * adds little here, but it costs little (one derivation per process).
 *
 * Nothing here logs, and no error message carries a secret value.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { TenantId } from '../contract/tenant.js';
import { writeFileAtomic } from '../home/atomic-write.js';
import { checkSecretName, checkSecretValue, checkTenant, formatSecretRef, nameInTenant } from './refs.js';

export const secretsDir = (home: string) => path.join(home, 'secrets');
const keyFileName = '.key';
/** Dot-names: tenant ids start with a letter or digit, so no tenant's file can collide with these. */
const keyInfoName = '.keyinfo.json';
const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
const fileFormat = 'airdesk-secrets';
const formatVersion = 1;
const keyCheckLabel = 'airdesk secrets key check v1';
const defaultScrypt = { N: 2 ** 15, r: 8, p: 1 };
const isWindows = process.platform === 'win32';

/** This machine's id (systemd's /etc/machine-id, or D-Bus's copy), or null when there is none. */
export function readMachineId(
  files: readonly string[] = ['/etc/machine-id', '/var/lib/dbus/machine-id'],
): string | null {
  for (const file of files) {
    try {
      const id = fs.readFileSync(file, 'utf8').trim();
      if (id.length > 0) return id;
    } catch {
      // not there: try the next one
    }
  }
  return null;
}

export interface EncryptedFileStoreOptions {
  /** The machine secret; default: read /etc/machine-id. `null` means "this machine has none". Tests inject it. */
  machineId?: string | null;
}

const keyInfoSchema = z.object({
  format: z.literal('airdesk-secrets-key'),
  formatVersion: z.literal(1),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int().min(2),
    r: z.number().int().min(1),
    p: z.number().int().min(1),
    salt: z.string().min(1),
  }),
  binding: z.enum(['machine-id', 'none']),
  check: z.string().min(1),
  createdAt: z.string(),
});
type KeyInfo = z.infer<typeof keyInfoSchema>;

const sealedSchema = z.object({ iv: z.string(), data: z.string(), tag: z.string() }).strict();
const tenantFileSchema = z.object({
  format: z.literal(fileFormat),
  formatVersion: z.literal(formatVersion),
  tenant: z.string(),
  secrets: z.record(z.string(), sealedSchema),
});
type TenantFile = z.infer<typeof tenantFileSchema>;
type Sealed = z.infer<typeof sealedSchema>;

function scrypt(input: Buffer, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r * params.p + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(input, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function keyCheck(key: Buffer): Buffer {
  return createHmac('sha256', key).update(keyCheckLabel).digest();
}

/** Creates `file` with `content` only if it does not exist yet (two processes racing both end up with one file). */
function createExclusive(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.new`;
  writeFileAtomic(tmp, content, 0o600);
  try {
    fs.linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Makes a file or folder private to the user again if something loosened it (no-op on Windows). */
function tighten(target: string, mode: number): void {
  if (isWindows) return;
  const stat = fs.statSync(target);
  if ((stat.mode & 0o777) !== mode) fs.chmodSync(target, mode);
}

function corrupt(file: string, what: string, cause?: unknown): AppError {
  return new AppError(
    'corrupt_database',
    `${file} ${what}; it is damaged or was modified outside airdesk. Restore it from a backup made on this ` +
      'machine, or delete it and enter the affected connector credentials again',
    { cause },
  );
}

export class EncryptedFileSecretStore implements SecretStore {
  readonly kind = 'encrypted-file' as const;
  readonly dir: string;
  private keyPromise: Promise<Buffer> | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    home: string,
    private readonly options: EncryptedFileStoreOptions = {},
  ) {
    this.dir = secretsDir(home);
  }

  async put(tenant: TenantId, name: string, value: string): Promise<string> {
    checkTenant(tenant);
    checkSecretName(name);
    checkSecretValue(value);
    const ref = formatSecretRef(tenant, name);
    const key = await this.key();
    return this.withTenantLock(tenant, () => {
      const file = this.readTenantFile(tenant) ?? this.emptyFile(tenant);
      file.secrets[name] = seal(key, ref, value);
      this.writeTenantFile(tenant, file);
      return ref;
    });
  }

  async get(tenant: TenantId, ref: string): Promise<string | null> {
    const name = nameInTenant(tenant, ref);
    const key = await this.key();
    return this.withTenantLock(tenant, () => {
      const file = this.readTenantFile(tenant);
      const sealed = file?.secrets[name];
      if (!sealed) return null;
      return open(key, ref, sealed, this.tenantPath(tenant));
    });
  }

  async delete(tenant: TenantId, ref: string): Promise<void> {
    const name = nameInTenant(tenant, ref);
    await this.key(); // refuses to edit a folder whose key is wrong
    await this.withTenantLock(tenant, () => {
      const file = this.readTenantFile(tenant);
      if (!file || !(name in file.secrets)) return;
      delete file.secrets[name];
      if (Object.keys(file.secrets).length === 0) fs.rmSync(this.tenantPath(tenant), { force: true });
      else this.writeTenantFile(tenant, file);
    });
  }

  async deleteTenant(tenant: TenantId): Promise<void> {
    checkTenant(tenant);
    await this.withTenantLock(tenant, () => {
      fs.rmSync(this.tenantPath(tenant), { force: true });
    });
  }

  private tenantPath(tenant: TenantId): string {
    return path.join(this.dir, `${tenant}.json`);
  }

  private emptyFile(tenant: TenantId): TenantFile {
    return { format: fileFormat, formatVersion, tenant, secrets: {} };
  }

  /** One read-modify-write at a time per tenant file in this process; the write itself is atomic. */
  private async withTenantLock<T>(tenant: TenantId, work: () => T): Promise<T> {
    const previous = this.locks.get(tenant) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(tenant, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(tenant) === settled) this.locks.delete(tenant);
    }
  }

  private readTenantFile(tenant: TenantId): TenantFile | null {
    const file = this.tenantPath(tenant);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw corrupt(file, 'is not valid JSON', cause);
    }
    const result = tenantFileSchema.safeParse(parsed);
    if (!result.success) throw corrupt(file, 'is not an airdesk secrets file', result.error);
    if (result.data.tenant !== tenant)
      throw corrupt(file, `names tenant "${result.data.tenant}", not "${tenant}"`);
    return result.data;
  }

  private writeTenantFile(tenant: TenantId, file: TenantFile): void {
    writeFileAtomic(this.tenantPath(tenant), JSON.stringify(file, null, 2) + '\n', 0o600);
  }

  /** Derives the key once per store; a failure is not cached, so fixing the cause (e.g. a restore) heals it. */
  private key(): Promise<Buffer> {
    this.keyPromise ??= this.loadKey().catch((error: unknown) => {
      this.keyPromise = undefined;
      throw error;
    });
    return this.keyPromise;
  }

  private async loadKey(): Promise<Buffer> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    tighten(this.dir, 0o700);
    const keyFile = path.join(this.dir, keyFileName);
    const infoFile = path.join(this.dir, keyInfoName);
    const machineId = this.options.machineId === undefined ? readMachineId() : this.options.machineId;

    if (!fs.existsSync(keyFile)) {
      if (fs.existsSync(infoFile) || this.hasTenantFiles()) {
        throw new AppError(
          'unavailable',
          `${keyFile} is missing, so the secrets in ${this.dir} cannot be decrypted. Restore it from a backup ` +
            `made on this machine, or move ${this.dir} aside and enter the connector credentials again`,
        );
      }
      createExclusive(keyFile, randomBytes(keyBytes));
    }
    tighten(keyFile, 0o600);
    const keyMaterial = fs.readFileSync(keyFile);
    if (keyMaterial.length !== keyBytes) throw corrupt(keyFile, `is not a ${keyBytes}-byte key`);

    if (!fs.existsSync(infoFile)) {
      if (this.hasTenantFiles()) {
        throw new AppError(
          'unavailable',
          `${infoFile} is missing, so the secrets in ${this.dir} cannot be decrypted. Restore it from a backup ` +
            `made on this machine, or move ${this.dir} aside and enter the connector credentials again`,
        );
      }
      const salt = randomBytes(16);
      const binding = machineId === null ? 'none' : 'machine-id';
      const key = await scrypt(derivationInput(binding, machineId, keyMaterial), salt, defaultScrypt);
      const info: KeyInfo = {
        format: 'airdesk-secrets-key',
        formatVersion: 1,
        kdf: { name: 'scrypt', ...defaultScrypt, salt: salt.toString('base64') },
        binding,
        check: keyCheck(key).toString('base64'),
        createdAt: new Date().toISOString(),
      };
      createExclusive(infoFile, JSON.stringify(info, null, 2) + '\n');
    }
    tighten(infoFile, 0o600);
    const info = this.readKeyInfo(infoFile);
    if (info.binding === 'machine-id' && machineId === null) {
      throw new AppError(
        'unavailable',
        `the secrets in ${this.dir} are bound to a machine id, and this machine has none (/etc/machine-id). ` +
          'Restore the machine id, or move the folder aside and enter the connector credentials again',
      );
    }
    const { N, r, p, salt } = info.kdf;
    const key = await scrypt(
      derivationInput(info.binding, machineId, keyMaterial),
      Buffer.from(salt, 'base64'),
      {
        N,
        r,
        p,
      },
    );
    const expected = Buffer.from(info.check, 'base64');
    const actual = keyCheck(key);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new AppError(
        'unavailable',
        `the secrets in ${this.dir} were encrypted on another machine (the data folder was copied or restored ` +
          `from a backup, or this machine's id changed) and cannot be decrypted here. Move ${this.dir} aside ` +
          'and enter the connector credentials again',
      );
    }
    return key;
  }

  private readKeyInfo(file: string): KeyInfo {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (cause) {
      throw corrupt(file, 'is not valid JSON', cause);
    }
    const result = keyInfoSchema.safeParse(parsed);
    if (!result.success) throw corrupt(file, 'does not describe an airdesk secrets key', result.error);
    return result.data;
  }

  private hasTenantFiles(): boolean {
    return fs.readdirSync(this.dir).some((entry) => !entry.startsWith('.') && entry.endsWith('.json'));
  }
}

function derivationInput(binding: KeyInfo['binding'], machineId: string | null, keyMaterial: Buffer): Buffer {
  const machine = binding === 'machine-id' ? Buffer.from(machineId ?? '', 'utf8') : Buffer.alloc(0);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(machine.length);
  return Buffer.concat([Buffer.from('airdesk-secrets-v1\0'), length, machine, keyMaterial]);
}

function seal(key: Buffer, ref: string, value: string): Sealed {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(ref, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

function open(key: Buffer, ref: string, sealed: Sealed, file: string): string {
  try {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== ivBytes || tag.length !== tagBytes) throw new Error('bad IV or tag length');
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(Buffer.from(ref, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch (cause) {
    // The cause is OpenSSL's "Unsupported state or unable to authenticate data": no plaintext in it.
    throw corrupt(file, `holds secret ${ref} in a form that does not authenticate`, cause);
  }
}
