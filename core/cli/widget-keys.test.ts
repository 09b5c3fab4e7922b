import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashWidgetKey } from '../desk/widget-keys.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { runCli } from './main.js';

async function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(args, { stdout, stderr });
  return { code, out, err };
}

describe('airdesk widget-keys', () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: home, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('creates a publishable key bound to the tenant and origins; only its hash is stored', async () => {
    expect((await run(['--home', home, 'tenants', 'create', 'acme'])).code).toBe(0);
    const created = await run([
      '--home',
      home,
      'widget-keys',
      'create',
      '--tenant',
      'acme',
      '--origin',
      'http://intranet.local',
    ]);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{20,}$/);
    const store = openSqliteStore(home);
    try {
      expect(await store.widgetKeys.findByHash(hashWidgetKey(key))).toMatchObject({
        tenantId: 'acme',
        origins: ['http://intranet.local'],
      });
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown tenant and a bad origin', async () => {
    const missing = await run(['--home', home, 'widget-keys', 'create', '--tenant', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/tenant "nope" does not exist/);
    await run(['--home', home, 'tenants', 'create', 'acme']);
    const bad = await run(['--home', home, 'widget-keys', 'create', '--tenant', 'acme', '--origin', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not an origin/);
  });
});
