import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-home.js';
import { loadKeytar } from './keychain-store.js';

/**
 * The keychain store against a real Secret Service: each case runs in a child process inside its own private
 * D-Bus session (dbus-run-session) with GNOME Keyring, under a throwaway HOME, so nothing touches the user's
 * keyring and nothing depends on the session the tests happen to run in. CI installs dbus and gnome-keyring.
 */

const indexUrl = pathToFileURL(path.join(import.meta.dirname, 'index.ts')).href;
const scratch = tempDir('airdesk-keychain-');
afterAll(() => scratch.cleanup());

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const keytar = await loadKeytar();
const missing = [
  ...['dbus-run-session', 'gnome-keyring-daemon'].filter((c) => !hasCommand(c)),
  ...(keytar.ok ? [] : ['keytar']),
];
if (missing.length > 0) {
  console.warn(
    `core/secrets: skipping the Secret Service tests, ${missing.join(' and ')} not available ` +
      '(apt-get install libsecret-1-dev gnome-keyring dbus dbus-x11, then npm install)',
  );
}

/** The script each child runs: opens the store through the public entry point and reports what happened. */
const childScript = `
const { openSecretStore, EncryptedFileSecretStore } = await import(${JSON.stringify(indexUrl)});
const [home, scenario] = process.argv.slice(2);
const out = { reasons: [] };
try {
  const store = await openSecretStore(home, { onFallback: (r) => out.reasons.push(r) });
  out.kind = store.kind;
  if (scenario === 'full') {
    const ref = await store.put('acme', 'jira/token', 'tok-1');
    await store.put('acme', 'notion/token', 'tok-2');
    const g = await store.put('globex', 'jira/token', 'tok-3');
    out.ref = ref;
    out.get = await store.get('acme', ref);
    try { await store.get('globex', ref); out.crossTenant = 'allowed'; } catch (e) { out.crossTenant = e.code; }
    await store.put('acme', 'jira/token', 'tok-1b');
    out.replaced = await store.get('acme', ref);
    await store.delete('acme', ref);
    out.afterDelete = await store.get('acme', ref);
    await store.deleteTenant('acme');
    out.afterDeleteTenant = await store.get('acme', 'airdesk-secret:acme/notion/token');
    out.otherTenant = await store.get('globex', g);
    const again = await openSecretStore(home);
    out.againKind = again.kind;
    out.againGet = await again.get('globex', g);
  } else if (scenario === 'put') {
    out.ref = await store.put('acme', 'token', 'kept-in-keychain');
  }
} catch (e) {
  out.error = { code: e.code, message: e.message };
}
console.log('RESULT ' + JSON.stringify(out));
`;
const childFile = path.join(scratch.dir, 'child.mjs');
fs.writeFileSync(childFile, childScript);

interface ChildResult {
  reasons: string[];
  kind?: string;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/** A clean environment: a private HOME and runtime dir, and no D-Bus session unless the wrapper starts one. */
function isolatedEnv(name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const root = path.join(scratch.dir, name);
  const run = path.join(root, 'run');
  fs.mkdirSync(run, { recursive: true, mode: 0o700 });
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: root,
    XDG_RUNTIME_DIR: run,
    XDG_DATA_HOME: path.join(root, 'data'),
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
    ...extra,
  };
}

/** Runs the child script, in a private D-Bus session with the given shell preamble when `session` is set. */
function runChild(
  home: string,
  scenario: string,
  env: NodeJS.ProcessEnv,
  session?: 'unlocked-keyring' | 'locked-keyring',
): ChildResult {
  const node = [process.execPath, '--import', 'tsx', childFile, home, scenario].map(shellQuote).join(' ');
  const command =
    session === undefined
      ? ['sh', '-c', node]
      : session === 'unlocked-keyring'
        ? [
            'dbus-run-session',
            '--',
            'sh',
            '-c',
            `echo airdesk-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ${node}`,
          ]
        : [
            'dbus-run-session',
            '--',
            'sh',
            '-c',
            `gnome-keyring-daemon --start --components=secrets >/dev/null; ${node}`,
          ];
  const result = spawnSync(command[0]!, command.slice(1), {
    env,
    cwd: path.resolve(import.meta.dirname, '..', '..'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    throw new Error(`child gave no result (status ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as ChildResult;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function dataHome(name: string): string {
  const dir = path.join(scratch.dir, name, 'airdesk');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('secret store selection without a keychain', () => {
  it('falls back to the encrypted file when there is no D-Bus session', () => {
    const result = runChild(dataHome('no-dbus'), 'full', isolatedEnv('no-dbus'));
    expect(result.error).toBeUndefined();
    expect(result.kind).toBe('encrypted-file');
    expect(result.reasons).toHaveLength(1);
    expect(result.get).toBe('tok-1');
    expect(result.crossTenant).toBe('forbidden');
    expect(result.againKind).toBe('encrypted-file');
  });

  it('refuses AIRDESK_SECRET_STORE=keychain when no keychain answers, naming the variable', () => {
    const env = isolatedEnv('forced', { AIRDESK_SECRET_STORE: 'keychain' });
    const result = runChild(dataHome('forced'), 'open', env);
    expect(result.error?.code).toBe('unavailable');
    expect(result.error?.message).toContain('AIRDESK_SECRET_STORE=keychain');
  });
});

describe.skipIf(missing.length > 0)('keychain store under a real Secret Service', () => {
  it('stores, reads, replaces and deletes secrets in GNOME Keyring, tenant by tenant', () => {
    const home = dataHome('keyring');
    const result = runChild(home, 'full', isolatedEnv('keyring'), 'unlocked-keyring');
    expect(result.error).toBeUndefined();
    expect(result.reasons).toEqual([]);
    expect(result).toMatchObject({
      kind: 'keychain',
      ref: 'airdesk-secret:acme/jira/token',
      get: 'tok-1',
      crossTenant: 'forbidden',
      replaced: 'tok-1b',
      afterDelete: null,
      afterDeleteTenant: null,
      otherTenant: 'tok-3',
      againKind: 'keychain',
      againGet: 'tok-3',
    });
    // Nothing but the record of which store is in use lands in the data folder.
    expect(fs.readdirSync(path.join(home, 'secrets'))).toEqual(['.store.json']);
  });

  it('falls back when the keyring is locked: reads answer "not found" but writes fail', () => {
    const result = runChild(dataHome('locked'), 'put', isolatedEnv('locked'), 'locked-keyring');
    expect(result.error).toBeUndefined();
    expect(result.kind).toBe('encrypted-file');
    expect(result.reasons[0]).toContain('keychain');
  });

  it('does not start an empty file store when the keychain that holds the secrets is out of reach', () => {
    const home = dataHome('sticky');
    const stored = runChild(home, 'put', isolatedEnv('sticky'), 'unlocked-keyring');
    expect(stored.kind).toBe('keychain');
    const later = runChild(home, 'open', isolatedEnv('sticky'));
    expect(later.error?.code).toBe('unavailable');
    expect(later.error?.message).toContain('kept in the OS keychain');
    expect(later.error?.message).toContain('AIRDESK_SECRET_STORE=file');
    const overridden = runChild(home, 'open', isolatedEnv('sticky', { AIRDESK_SECRET_STORE: 'file' }));
    expect(overridden.kind).toBe('encrypted-file');
  });
});
