import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

interface Host {
  root: string;
  platform: string;
  env: Record<string, string | undefined>;
  exists: (file: string) => boolean;
  readText: (file: string) => string | undefined;
}
type Launch = { mode: 'electron'; electron: string } | { mode: 'headless'; reason: string };
interface StartModule {
  chooseLaunch(host: Host): Launch;
  hasDisplay(platform: string, env: Record<string, string | undefined>): boolean;
  requiredBuildOutputs(mode: Launch['mode']): string[];
}

// start.js is plain JS without declarations; a computed specifier keeps the compiler from asking for them.
const startUrl = new URL('./start.js', import.meta.url);
const start = (await import(startUrl.href)) as StartModule;
const root = path.resolve(import.meta.dirname, '..');

/** A machine with the given files (path → content) and environment. */
function host(files: Record<string, string>, env: Host['env'] = {}, platform = 'linux'): Host {
  const abs = new Map(Object.entries(files).map(([file, text]) => [path.resolve('/app', file), text]));
  return {
    root: '/app',
    platform,
    env,
    exists: (file) => abs.has(path.resolve(file)),
    readText: (file) => abs.get(path.resolve(file)),
  };
}

const installed = { 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron': '' };

describe('chooseLaunch', () => {
  it('starts Electron when its binary is on disk and a display is available', () => {
    expect(start.chooseLaunch(host(installed, { DISPLAY: ':0' }))).toEqual({
      mode: 'electron',
      electron: path.join('/app', 'node_modules', 'electron', 'dist', 'electron'),
    });
    expect(start.chooseLaunch(host(installed, { WAYLAND_DISPLAY: 'wayland-0' })).mode).toBe('electron');
  });

  it('finds the binary path.txt names, as on macOS', () => {
    const mac = {
      'node_modules/electron/path.txt': 'Electron.app/Contents/MacOS/Electron\n',
      'node_modules/electron/dist/Electron.app/Contents/MacOS/Electron': '',
    };
    expect(start.chooseLaunch(host(mac, {}, 'darwin'))).toEqual({
      mode: 'electron',
      electron: path.join('/app/node_modules/electron/dist/Electron.app/Contents/MacOS/Electron'),
    });
  });

  it('goes headless when the package is installed but its binary never downloaded', () => {
    const notDownloaded: Record<string, string>[] = [
      {},
      { 'node_modules/electron/path.txt': 'electron' },
      { 'node_modules/electron/path.txt': '' },
    ];
    for (const files of notDownloaded)
      expect(start.chooseLaunch(host(files, { DISPLAY: ':0' }))).toEqual({
        mode: 'headless',
        reason: 'no Electron binary installed (offline machine)',
      });
  });

  it('goes headless on Linux without a display, but not on macOS or Windows', () => {
    const launch = start.chooseLaunch(host(installed, { DISPLAY: '' }));
    expect(launch.mode).toBe('headless');
    expect(launch.mode === 'headless' && launch.reason).toMatch(/no display/);
    const win = {
      'node_modules/electron/path.txt': 'electron.exe',
      'node_modules/electron/dist/electron.exe': '',
    };
    expect(start.chooseLaunch(host(win, {}, 'win32')).mode).toBe('electron');
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const files = { 'node_modules/electron/path.txt': 'electron', '/opt/electron-45/electron': '' };
    expect(
      start.chooseLaunch(host(files, { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron-45' })),
    ).toEqual({ mode: 'electron', electron: path.join('/opt/electron-45', 'electron') });
  });

  it('goes headless when asked to', () => {
    expect(start.chooseLaunch(host(installed, { DISPLAY: ':0', AIRDESK_HEADLESS: '1' })).mode).toBe(
      'headless',
    );
  });
});

describe('requiredBuildOutputs', () => {
  it('needs the core and the console for both modes, and the shell for Electron', () => {
    expect(start.requiredBuildOutputs('headless')).toContain('dist/core/cli/main.js');
    expect(start.requiredBuildOutputs('headless')).not.toContain('dist/electron/main.js');
    expect(start.requiredBuildOutputs('electron')).toEqual(
      expect.arrayContaining(['dist/core/cli/main.js', 'dist/electron/main.js', 'dist/electron/preload.cjs']),
    );
  });
});

const built = ['bin/airdesk.js', ...start.requiredBuildOutputs('headless')].every((file) =>
  existsSync(path.join(root, file)),
);

describe('node scripts/start.js in headless mode', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" before the tests (npm test does)');
  });
  it('says why in one stderr line, prints the listening line, and exits 0 on SIGTERM', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'airdesk-start-'));
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts', 'start.js'), '--console-port', '0', '--widget-port', '0'],
      // AIRDESK_HEADLESS keeps a developer's desktop, where Electron may be installed, on the headless path.
      {
        env: { ...process.env, AIRDESK_HOME: home, AIRDESK_HEADLESS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const first = stdout.split('\n')[0];
          if (stdout.includes('\n') && first !== undefined) resolve(first);
        });
        void exit.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const event = JSON.parse(line) as { event: string; console: string };
      expect(event.event).toBe('listening');
      expect(event.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      expect(stderr.split('\n')[0]).toMatch(
        /^airdesk: AIRDESK_HEADLESS=1 is set – starting the console in headless server mode$/,
      );
      // `airdesk serve` prints its listening line just before it handles SIGTERM; give it a moment to get there.
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });
});
