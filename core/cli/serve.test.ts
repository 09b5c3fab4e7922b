import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listeningEventSchema } from '../contract/console-api.js';
import { packageRoot } from '../package-root.js';
import { tempDir } from '../testing/temp-home.js';

const bin = path.join(packageRoot, 'bin', 'airdesk.js');

/** The real `airdesk serve` process: what users and the desktop shell start. Needs `npm run build` first. */
function startServe(home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, '--home', home, 'serve', ...args], {
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 15_000);
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.split('\n')[0]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited early; stderr: ${stderr}`));
    });
  });
  firstLine.catch(() => {}); // tests that expect an early exit never await it
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
}

describe('airdesk serve (process)', () => {
  let children: ChildProcessWithoutNullStreams[] = [];
  const cleanups: (() => void)[] = [];
  beforeAll(() => {
    if (!fs.existsSync(path.join(packageRoot, 'dist', 'core', 'cli', 'main.js'))) {
      throw new Error('dist/ is missing: run "npm run build" before the tests (npm test does)');
    }
  });
  afterEach(() => {
    for (const c of children) c.kill('SIGKILL');
    children = [];
    for (const c of cleanups.splice(0)) c();
  });
  const home = () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };

  it('prints the listening line, serves, and exits 0 on SIGTERM', async () => {
    const serve = startServe(home(), ['--console-port', '0', '--widget-port', '0'], {
      AIRDESK_CONSOLE_TOKEN: 'fixed-token-for-test',
    });
    children.push(serve.child);
    const event = listeningEventSchema.parse(JSON.parse(await serve.firstLine));
    expect(event.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=fixed-token-for-test$/);
    const tenants = await fetch(new URL('/api/tenants', event.console), {
      headers: { authorization: 'Bearer fixed-token-for-test' },
    });
    expect(tenants.status).toBe(200);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.output().stdout.trim().split('\n')).toHaveLength(1);
  });

  it('makes a random token per start when none is set, and never logs it', async () => {
    const dir = home();
    const serve = startServe(dir, ['--console-port', '0', '--widget-port', '0'], {
      AIRDESK_CONSOLE_TOKEN: '',
    });
    children.push(serve.child);
    // An empty AIRDESK_CONSOLE_TOKEN is a mistake, not "no token".
    expect(await serve.exited).toBe(2);
    const env = { ...process.env };
    delete env.AIRDESK_CONSOLE_TOKEN;
    const child = spawn(
      process.execPath,
      [bin, '--home', dir, 'serve', '--console-port', '0', '--widget-port', '0'],
      {
        env,
      },
    );
    children.push(child);
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)),
    );
    const token =
      new URL(listeningEventSchema.parse(JSON.parse(line)).console).searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    const done = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await done;
    expect(fs.readFileSync(path.join(dir, 'logs', 'airdesk.log'), 'utf8')).not.toContain(token);
  });

  it('says which port is in use and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const serve = startServe(home(), ['--console-port', String(port), '--widget-port', '0']);
      children.push(serve.child);
      expect(await serve.exited).toBe(1);
      const { stderr, stdout } = serve.output();
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `airdesk: port ${port} on 127.0.0.1 is already in use; stop the program using it or choose another with --console-port (0 = any free port)\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
