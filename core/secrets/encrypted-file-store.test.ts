import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../contract/errors.js';
import { tempDir } from '../testing/temp-home.js';
import { EncryptedFileSecretStore, readMachineId } from './encrypted-file-store.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function home(): string {
  const { dir, cleanup } = tempDir('airdesk-secrets-');
  cleanups.push(cleanup);
  return dir;
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const posix = process.platform !== 'win32';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

describe('EncryptedFileSecretStore', () => {
  it('round-trips secrets per tenant and never writes a value in plain text', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    const ref = await store.put('acme', 'jira-main/apiToken', 'hunter2-token-ÄÖ');
    expect(ref).toBe('airdesk-secret:acme/jira-main/apiToken');
    expect(await store.get('acme', ref)).toBe('hunter2-token-ÄÖ');
    expect(await store.get('acme', 'airdesk-secret:acme/nothing-here')).toBeNull();

    await store.put('acme', 'jira-main/apiToken', 'replaced-value');
    expect(await store.get('acme', ref)).toBe('replaced-value');

    // A second store (another process) on the same folder and machine reads the same secret.
    const again = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    expect(await again.get('acme', ref)).toBe('replaced-value');

    for (const entry of fs.readdirSync(path.join(h, 'secrets'))) {
      const content = fs.readFileSync(path.join(h, 'secrets', entry));
      expect(content.includes('replaced-value')).toBe(false);
      expect(content.includes('hunter2')).toBe(false);
    }
  });

  it.runIf(posix)('keeps the folder 0700 and every file 0600, leaving no temporary files', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.put(i % 2 ? 'acme' : 'globex', `s${i}`, `value-${i}`)),
    );
    const dir = path.join(h, 'secrets');
    expect(modeOf(dir)).toBe(0o700);
    const entries = fs.readdirSync(dir).sort();
    expect(entries).toEqual(['.key', '.keyinfo.json', 'acme.json', 'globex.json']);
    for (const entry of entries) expect(modeOf(path.join(dir, entry))).toBe(0o600);
    expect(fs.statSync(path.join(dir, '.key')).size).toBe(32);
    // Concurrent puts on one tenant file lost nothing (read-modify-write is serialized).
    for (let i = 0; i < 20; i++) {
      expect(
        await store.get(i % 2 ? 'acme' : 'globex', `airdesk-secret:${i % 2 ? 'acme' : 'globex'}/s${i}`),
      ).toBe(`value-${i}`);
    }
  });

  it.runIf(posix)('tightens a folder or key file whose mode was loosened', async () => {
    const h = home();
    await new EncryptedFileSecretStore(h, { machineId: 'm' }).put('acme', 'a', 'v');
    fs.chmodSync(path.join(h, 'secrets'), 0o755);
    fs.chmodSync(path.join(h, 'secrets', '.key'), 0o644);
    await new EncryptedFileSecretStore(h, { machineId: 'm' }).get('acme', 'airdesk-secret:acme/a');
    expect(modeOf(path.join(h, 'secrets'))).toBe(0o700);
    expect(modeOf(path.join(h, 'secrets', '.key'))).toBe(0o600);
  });

  it('refuses a reference that names another tenant', async () => {
    const store = new EncryptedFileSecretStore(home(), { machineId: 'machine-a' });
    const ref = await store.put('acme', 'token', 'acme-secret');
    const error = await rejection(store.get('globex', ref));
    expect(error.code).toBe('forbidden');
    expect(error.message).not.toContain('acme-secret');
    expect((await rejection(store.delete('globex', ref))).code).toBe('forbidden');
    expect(await store.get('acme', ref)).toBe('acme-secret');
  });

  it('rejects malformed references, names, tenants and values without echoing values', async () => {
    const store = new EncryptedFileSecretStore(home(), { machineId: 'machine-a' });
    expect((await rejection(store.get('acme', 'acme/token'))).code).toBe('invalid_input');
    expect((await rejection(store.get('acme', 'airdesk-secret:acme'))).code).toBe('invalid_input');
    expect((await rejection(store.get('acme', 'airdesk-secret:ACME/x'))).code).toBe('invalid_input');
    expect((await rejection(store.put('acme', '../etc/passwd', 'v'))).code).toBe('invalid_input');
    expect((await rejection(store.put('../acme', 'n', 'v'))).code).toBe('invalid_input');
    expect((await rejection(store.put('acme', 'n', ''))).code).toBe('invalid_input');
    const big = 'x'.repeat(70_000);
    const tooLarge = await rejection(store.put('acme', 'n', big));
    expect(tooLarge.code).toBe('too_large');
    expect(tooLarge.message).not.toContain('xxxx');
  });

  it('reports tampered ciphertext as a clear error, never a crash or the value', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    const ref = await store.put('acme', 'token', 'the-real-value');
    const other = await store.put('acme', 'other', 'another-value');
    const file = path.join(h, 'secrets', 'acme.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      secrets: Record<string, { data: string; iv: string; tag: string }>;
    };
    const sealed = json.secrets.token!;
    const bytes = Buffer.from(sealed.data, 'base64');
    bytes[0] = bytes[0]! ^ 0x01;
    sealed.data = bytes.toString('base64');
    fs.writeFileSync(file, JSON.stringify(json));

    const error = await rejection(store.get('acme', ref));
    expect(error.code).toBe('corrupt_database');
    expect(error.message).toContain('acme.json');
    expect(error.message).toContain('airdesk-secret:acme/token');
    expect(error.message).not.toContain('the-real-value');
    // The untouched secret in the same file still reads.
    expect(await store.get('acme', other)).toBe('another-value');
  });

  it('refuses a sealed value moved to another name (the reference is authenticated)', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    await store.put('acme', 'admin', 'admin-password');
    const victim = await store.put('acme', 'readonly', 'readonly-password');
    const file = path.join(h, 'secrets', 'acme.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { secrets: Record<string, unknown> };
    json.secrets.readonly = json.secrets.admin;
    fs.writeFileSync(file, JSON.stringify(json));
    expect((await rejection(store.get('acme', victim))).code).toBe('corrupt_database');
  });

  it('reports a file that is not JSON or names another tenant, and leaves it intact on a failed put', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    const ref = await store.put('acme', 'token', 'v1');
    const file = path.join(h, 'secrets', 'acme.json');
    fs.writeFileSync(file, '{"format": "airdesk-secrets", "formatVers');
    expect((await rejection(store.get('acme', ref))).code).toBe('corrupt_database');
    expect((await rejection(store.put('acme', 'token2', 'v2'))).code).toBe('corrupt_database');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"format": "airdesk-secrets", "formatVers');

    await store.put('globex', 'token', 'g');
    fs.copyFileSync(path.join(h, 'secrets', 'globex.json'), file);
    expect((await rejection(store.get('acme', ref))).message).toContain('names tenant "globex"');
  });

  it('cannot decrypt a data folder copied to a machine with another machine secret', async () => {
    const original = home();
    const store = new EncryptedFileSecretStore(original, { machineId: 'machine-a' });
    const ref = await store.put('acme', 'token', 'copied-secret');

    const copy = home();
    fs.cpSync(original, copy, { recursive: true });
    const elsewhere = new EncryptedFileSecretStore(copy, { machineId: 'machine-b' });
    const error = await rejection(elsewhere.get('acme', ref));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('another machine');
    expect(error.message).not.toContain('copied-secret');
    // Nor may it write into that folder with the wrong key.
    expect((await rejection(elsewhere.put('acme', 'new', 'v'))).code).toBe('unavailable');
    // A machine without any machine id cannot open a folder bound to one.
    expect(
      (await rejection(new EncryptedFileSecretStore(copy, { machineId: null }).get('acme', ref))).code,
    ).toBe('unavailable');
    // The copy on the original machine still works (the key file travelled with it).
    expect(await new EncryptedFileSecretStore(copy, { machineId: 'machine-a' }).get('acme', ref)).toBe(
      'copied-secret',
    );
  });

  it('needs the key file: a folder without .key cannot be decrypted, even on the same machine', async () => {
    const h = home();
    const ref = await new EncryptedFileSecretStore(h, { machineId: 'machine-a' }).put('acme', 'token', 'v');
    fs.rmSync(path.join(h, 'secrets', '.key'));
    const error = await rejection(
      new EncryptedFileSecretStore(h, { machineId: 'machine-a' }).get('acme', ref),
    );
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('.key is missing');
  });

  it('works on a machine without a machine id (key file only) and records that binding', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: null });
    const ref = await store.put('acme', 'token', 'v');
    const info = JSON.parse(fs.readFileSync(path.join(h, 'secrets', '.keyinfo.json'), 'utf8')) as {
      binding: string;
    };
    expect(info.binding).toBe('none');
    expect(await new EncryptedFileSecretStore(h, { machineId: 'appeared-later' }).get('acme', ref)).toBe('v');
  });

  it('deletes one secret, and every secret of a tenant', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'machine-a' });
    const a = await store.put('acme', 'a', '1');
    const b = await store.put('acme', 'b', '2');
    const g = await store.put('globex', 'a', '3');
    await store.delete('acme', a);
    await store.delete('acme', a); // idempotent
    expect(await store.get('acme', a)).toBeNull();
    expect(await store.get('acme', b)).toBe('2');

    await store.deleteTenant('acme');
    expect(fs.existsSync(path.join(h, 'secrets', 'acme.json'))).toBe(false);
    expect(await store.get('acme', b)).toBeNull();
    expect(await store.get('globex', g)).toBe('3');
    await store.deleteTenant('acme'); // idempotent
  });

  it('keeps tenants named like its own files apart from them', async () => {
    const h = home();
    const store = new EncryptedFileSecretStore(h, { machineId: 'm' });
    for (const tenant of ['key', 'keyinfo', 'store']) await store.put(tenant, 'n', `value-of-${tenant}`);
    const again = new EncryptedFileSecretStore(h, { machineId: 'm' });
    for (const tenant of ['key', 'keyinfo', 'store']) {
      expect(await again.get(tenant, `airdesk-secret:${tenant}/n`)).toBe(`value-of-${tenant}`);
    }
  });

  it('reads the machine id from the first file that has one', () => {
    const h = home();
    const empty = path.join(h, 'empty');
    const real = path.join(h, 'real');
    fs.writeFileSync(empty, '\n');
    fs.writeFileSync(real, 'abc123\n');
    expect(readMachineId([path.join(h, 'missing'), empty, real])).toBe('abc123');
    expect(readMachineId([path.join(h, 'missing')])).toBeNull();
  });
});
