import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('airdesk CLI', () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: home, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('creates and lists tenants, as text and as JSON on stdout', async () => {
    const created = await run(['--home', home, 'tenants', 'create', 'acme', '--name', 'Acme Bank']);
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(created.out).toContain('created tenant acme (Acme Bank)');
    const text = await run(['--home', home, 'tenants', 'list']);
    expect(text.out).toMatch(/^ID\s+NAME\s+CREATED\nacme\s+Acme Bank\s+\d{4}-/);
    // global options are accepted after the subcommand too
    const json = await run(['tenants', 'list', '--home', home, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ tenants: [{ id: 'acme', name: 'Acme Bank' }] });
  });

  it('exits 2 with one line naming what is accepted on usage mistakes', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command 'frobnicate'; "airdesk" accepts: tenants, serve/],
      [
        ['tenants', 'list', '--colour'],
        /unknown option '--colour'; "airdesk tenants list" accepts: .*--home/,
      ],
      [['tenants'], /missing command; "airdesk tenants" accepts: create, list/],
      [['tenants', 'create'], /missing required argument 'id'/],
      [['--home', home, 'tenants', 'create', 'Not/Valid'], /"Not\/Valid" is not a valid tenant id/],
      [['serve', '--console-port', 'http'], /"http" is not a port; give a number from 0 to 65535/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toBe('');
      expect(err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(err).toMatch(message);
    }
  });

  it('exits 1 with one line on failures, e.g. a duplicate tenant', async () => {
    await run(['--home', home, 'tenants', 'create', 'acme']);
    const { code, err } = await run(['--home', home, 'tenants', 'create', 'acme']);
    expect(code).toBe(1);
    expect(err).toBe('airdesk: tenant "acme" already exists; list tenants with "airdesk tenants list"\n');
  });

  it('prints help and the version with exit 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: airdesk');
    expect(help.out).toContain('serve');
    const version = await run(['--version']);
    expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
