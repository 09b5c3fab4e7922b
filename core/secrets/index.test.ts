import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../contract/errors.js';
import { tempDir } from '../testing/temp-home.js';
import { openSecretStore, parseSecretRef, resolveSecretValue } from './index.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function home(): string {
  const { dir, cleanup } = tempDir('airdesk-secrets-');
  cleanups.push(cleanup);
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

// These cases never reach for the keychain (prefer or AIRDESK_SECRET_STORE=file), so they behave the same on a
// developer's desktop and on CI; keychain-store.test.ts covers the keychain in a private D-Bus session.
describe('openSecretStore', () => {
  it('opens the encrypted file store when asked to, and records it at the first put', async () => {
    const h = home();
    const store = await openSecretStore(h, {
      prefer: 'encrypted-file',
      env: {},
      encryptedFile: { machineId: 'm' },
    });
    expect(store.kind).toBe('encrypted-file');
    expect(fs.existsSync(path.join(h, 'secrets', '.store.json'))).toBe(false);
    const ref = await store.put('acme', 'token', 'v');
    expect(JSON.parse(fs.readFileSync(path.join(h, 'secrets', '.store.json'), 'utf8'))).toEqual({
      kind: 'encrypted-file',
    });
    // Later opens follow the record even without a preference.
    const again = await openSecretStore(h, { env: {}, encryptedFile: { machineId: 'm' } });
    expect(again.kind).toBe('encrypted-file');
    expect(await again.get('acme', ref)).toBe('v');
  });

  it('honours AIRDESK_SECRET_STORE=file and rejects an unknown value by naming the variable', async () => {
    const h = home();
    const store = await openSecretStore(h, { prefer: 'keychain', env: { AIRDESK_SECRET_STORE: 'file' } });
    expect(store.kind).toBe('encrypted-file');
    const error = await rejection(openSecretStore(h, { env: { AIRDESK_SECRET_STORE: 'vault' } }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('AIRDESK_SECRET_STORE');
  });

  it('lets an admin override a keychain record with AIRDESK_SECRET_STORE=file', async () => {
    const h = home();
    fs.mkdirSync(path.join(h, 'secrets'));
    fs.writeFileSync(path.join(h, 'secrets', '.store.json'), '{"kind":"keychain"}');
    const store = await openSecretStore(h, { env: { AIRDESK_SECRET_STORE: 'file' } });
    const ref = await store.put('acme', 'token', 'v');
    expect(await store.get('acme', ref)).toBe('v');
  });

  it('reports a damaged store record clearly', async () => {
    const h = home();
    fs.mkdirSync(path.join(h, 'secrets'));
    fs.writeFileSync(path.join(h, 'secrets', '.store.json'), '{"kind":"postit"}');
    expect((await rejection(openSecretStore(h, { env: {} }))).code).toBe('corrupt_database');
  });
});

describe('resolveSecretValue', () => {
  it('reads { env } from the given environment', async () => {
    expect(await resolveSecretValue({ env: 'JIRA_TOKEN' }, { JIRA_TOKEN: 'abc' })).toBe('abc');
  });

  it('names the variable, never a value, when it is unset or empty', async () => {
    const unset = await rejection(resolveSecretValue({ env: 'JIRA_TOKEN' }, { OTHER: 'secret-other' }));
    expect(unset.code).toBe('invalid_input');
    expect(unset.message).toContain('JIRA_TOKEN is not set');
    expect(unset.message).not.toContain('secret-other');
    const empty = await rejection(resolveSecretValue({ env: 'JIRA_TOKEN' }, { JIRA_TOKEN: '' }));
    expect(empty.message).toContain('JIRA_TOKEN is empty');
  });

  it('reads { secretRef } from the store for its tenant only', async () => {
    const store = await openSecretStore(home(), { env: { AIRDESK_SECRET_STORE: 'file' } });
    const ref = await store.put('acme', 'notion/token', 'secret-notion');
    expect(await resolveSecretValue({ secretRef: ref }, {}, { store, tenant: 'acme' })).toBe('secret-notion');
    expect(
      (await rejection(resolveSecretValue({ secretRef: ref }, {}, { store, tenant: 'globex' }))).code,
    ).toBe('forbidden');
    const gone = await rejection(
      resolveSecretValue({ secretRef: 'airdesk-secret:acme/gone' }, {}, { store, tenant: 'acme' }),
    );
    expect(gone.code).toBe('not_found');
    expect(gone.message).toContain('airdesk-secret:acme/gone');
    expect((await rejection(resolveSecretValue({ secretRef: ref }, {}))).code).toBe('invalid_input');
  });
});

describe('secret references', () => {
  it('split into tenant and name (the name may hold slashes)', () => {
    expect(parseSecretRef('airdesk-secret:acme-eu/jira-main/apiToken')).toEqual({
      tenant: 'acme-eu',
      name: 'jira-main/apiToken',
    });
  });
});
