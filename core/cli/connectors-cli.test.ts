import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-home.js';
import { runCli } from './main.js';

/** Runs the CLI in this process (the registry is the real one: the folder connector). */
async function airdesk(home: string, ...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(['--home', home, ...args], { stdout, stderr });
  return { code, out, err };
}

describe('airdesk connectors / sync (folder connector)', () => {
  let dir: string;
  let cleanup: () => void;
  let home: string;
  let share: string;
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.AIRDESK_EMBEDDER = 'none';
    process.env.AIRDESK_SECRET_STORE = 'file';
  });
  afterAll(() => {
    process.env = saved;
  });
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    home = path.join(dir, 'home');
    share = path.join(dir, 'share');
    fs.mkdirSync(share);
    fs.writeFileSync(
      path.join(share, 'refunds.md'),
      '# Refunds\n\nRefunds go back to the card within five days.\n',
    );
    fs.writeFileSync(path.join(share, 'vpn.md'), '# VPN\n\nUse the Frankfurt gateway.\n');
    expect((await airdesk(home, 'tenants', 'create', 'acme')).code).toBe(0);
  });
  afterEach(() => cleanup());

  const config = (content: unknown) => {
    const file = path.join(dir, `config-${Math.random()}.json`);
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
  };

  it('adds, lists and syncs a connector; a deleted file is pruned on the next sync', async () => {
    const file = config({ name: 'handbook', settings: { path: share }, schedule: '*/30 * * * *' });
    const added = await airdesk(home, 'connectors', 'add', 'folder', '--tenant', 'acme', '--config', file);
    expect(added.code).toBe(0);
    const id = added.out.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(added.err).toMatch(/added folder connector "handbook"/);

    const before = await airdesk(home, 'connectors', 'list');
    expect(before.out).toMatch(/acme\s+\S+\s+folder\s+handbook\s+\*\/30 \* \* \* \*\s+never/);

    const sync = await airdesk(home, 'sync', id);
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/handbook: succeeded: 2 added, 0 updated, 0 deleted, 0 failed/);
    expect(sync.err).toMatch(/sync: page 1/);

    fs.rmSync(path.join(share, 'vpn.md'));
    const again = JSON.parse((await airdesk(home, '--json', 'sync', id, '--tenant', 'acme')).out) as {
      status: string;
      deleted: number;
    };
    expect(again).toMatchObject({ status: 'succeeded', deleted: 1 });

    const listed = JSON.parse(
      (await airdesk(home, 'connectors', 'list', '--tenant', 'acme', '--json')).out,
    ) as {
      id: string;
      lastRun: { status: string };
    }[];
    expect(listed).toMatchObject([{ id, lastRun: { status: 'succeeded' } }]);
    const hits = JSON.parse(
      (await airdesk(home, 'search', 'Frankfurt gateway', '--tenant', 'acme', '--mode', 'bm25', '--json'))
        .out,
    ) as { hits: unknown[] };
    expect(hits.hits).toEqual([]);
  });

  it('refuses bad input with one line and no connector', async () => {
    const missing = await airdesk(home, 'connectors', 'add', 'folder', '--tenant', 'acme');
    expect(missing).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--config FILE.json is required/) as unknown,
    });
    const unknown = await airdesk(
      home,
      'connectors',
      'add',
      'gopher',
      '--tenant',
      'acme',
      '--config',
      config({ name: 'x', settings: {} }),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(
      /unknown connector type "gopher"; available: confluence, folder, jira, notion, sharepoint/,
    );
    const relative = await airdesk(
      home,
      'connectors',
      'add',
      'folder',
      '--tenant',
      'acme',
      '--config',
      config({ name: 'x', settings: { path: 'share' } }),
    );
    expect(relative.err).toMatch(/settings: path: an absolute path/);
    const cron = await airdesk(
      home,
      'connectors',
      'add',
      'folder',
      '--tenant',
      'acme',
      '--config',
      config({ name: 'x', settings: { path: share }, schedule: 'often' }),
    );
    expect(cron.err).toMatch(/schedule "often" is not a cron expression/);
    const gone = await airdesk(home, 'sync', '00000000-0000-0000-0000-000000000000');
    expect(gone).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no connector .* in any tenant/) as unknown,
    });
    expect((await airdesk(home, 'connectors', 'list')).out).toMatch(/no connectors/);
  });
});
