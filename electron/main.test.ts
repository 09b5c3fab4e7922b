/**
 * main.ts against a recording stand-in for the `electron` module (no Electron binary exists here) and the real
 * core: it must start `airdesk serve`, point a hardened window at the console URL, and stop the core on quit.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import type * as CoreProcessModule from './core-process.js';

interface FakeEvent {
  url?: string;
  defaultPrevented: boolean;
  preventDefault(): void;
}
type Listener = (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => Promise<unknown>;

/** Everything main.ts did to "Electron", replaced per scenario. */
function newState(appPath: string, appData: string) {
  return {
    appPath,
    appData,
    appEvents: new EventEmitter(),
    paths: new Map<string, string>(),
    sandboxed: false,
    quits: 0,
    exitCode: undefined as number | undefined,
    errorBoxes: [] as { title: string; content: string }[],
    windows: [] as { options: BrowserWindowConstructorOptions; url?: string }[],
    contents: [] as (EventEmitter & { openHandler?: (details: { url: string }) => { action: string } })[],
    ipc: new Map<string, Listener>(),
    headersHandler: undefined as
      | undefined
      | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void),
    permissionRequest: undefined as
      | undefined
      | ((
          wc: unknown,
          permission: string,
          cb: (granted: boolean) => void,
          details: { requestingUrl: string },
        ) => void),
    opened: [] as string[],
  };
}

const fake = vi.hoisted(() => ({ state: undefined as unknown as ReturnType<typeof newState> }));

vi.mock('electron', async () => {
  // Factories run before this file's imports, so they import what they need themselves.
  const { EventEmitter } = await import('node:events');
  const s = () => fake.state;
  const event = (url?: string): FakeEvent => ({
    url,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  });
  const app = {
    on: (name: string, listener: (...args: unknown[]) => void) => s().appEvents.on(name, listener),
    setPath: (name: string, value: string) => s().paths.set(name, value),
    getPath: (name: string) => (name === 'appData' ? s().appData : `/unused/${name}`),
    enableSandbox: () => (s().sandboxed = true),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    getAppPath: () => s().appPath,
    getVersion: () => '9.9.9',
    isPackaged: false,
    quit: () => {
      s().quits++;
      s().appEvents.emit('before-quit', event());
    },
    exit: (code: number) => (s().exitCode = code),
  };
  class BrowserWindow extends EventEmitter {
    readonly record: { options: BrowserWindowConstructorOptions; url?: string };
    constructor(options: BrowserWindowConstructorOptions) {
      super();
      this.record = { options };
      s().windows.push(this.record);
      type OpenHandler = (details: { url: string }) => { action: string };
      const contents: EventEmitter & {
        openHandler?: OpenHandler;
        setWindowOpenHandler(h: OpenHandler): void;
      } = Object.assign(new EventEmitter(), {
        openHandler: undefined as OpenHandler | undefined,
        setWindowOpenHandler(handler: OpenHandler) {
          contents.openHandler = handler;
        },
      });
      s().contents.push(contents);
      s().appEvents.emit('web-contents-created', event(), contents);
    }
    loadURL(url: string) {
      this.record.url = url;
      return Promise.resolve();
    }
    show() {}
  }
  return {
    app,
    BrowserWindow,
    dialog: {
      showErrorBox: (title: string, content: string) => s().errorBoxes.push({ title, content }),
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    },
    ipcMain: { handle: (channel: string, listener: Listener) => s().ipc.set(channel, listener) },
    session: {
      fromPartition: () => ({
        webRequest: {
          onHeadersReceived: (handler: ReturnType<typeof newState>['headersHandler']) =>
            (s().headersHandler = handler),
        },
        setPermissionRequestHandler: (handler: ReturnType<typeof newState>['permissionRequest']) =>
          (s().permissionRequest = handler),
        setPermissionCheckHandler: () => {},
        setDevicePermissionHandler: () => {},
      }),
    },
    shell: {
      openExternal: (url: string) => {
        s().opened.push(url);
        return Promise.resolve();
      },
      showItemInFolder: () => {},
    },
    utilityProcess: {
      fork: () => {
        throw new Error('a development checkout must run the core on plain Node');
      },
    },
  };
});

// The widget listener's default port may be taken on a test machine; everything else is main.ts's own launch.
vi.mock('./core-process.js', async (importOriginal) => {
  const original = await importOriginal<typeof CoreProcessModule>();
  return {
    ...original,
    coreLaunch: (inputs: CoreProcessModule.CoreLaunchInputs) => {
      const launch = original.coreLaunch(inputs);
      return { ...launch, args: [...launch.args, '--widget-port', '0'] };
    },
  };
});

const root = path.resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'airdesk-main-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function until<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function fakeEvent(url: string): FakeEvent {
  return {
    url,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

async function startMain(appPath: string): Promise<ReturnType<typeof newState>> {
  fake.state = newState(appPath, path.join(scratch, 'appData'));
  vi.resetModules();
  process.env.AIRDESK_HOME = mkdtempSync(path.join(scratch, 'home-'));
  process.env.AIRDESK_CORE_NODE = process.execPath;
  await import('./main.js');
  return fake.state;
}

const built = existsSync(path.join(root, 'bin', 'airdesk.js')) && existsSync(path.join(root, 'dist', 'core'));

describe('main (with the real core)', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" before the tests (npm test does)');
  });
  it('starts the core, opens a hardened window on its console, and stops the core on quit', async () => {
    const state = await startMain(root);
    const url = await until(() => state.windows[0]?.url, 'the console window to load');
    expect(state.errorBoxes).toEqual([]);
    expect(state.sandboxed).toBe(true);
    expect(state.paths.get('userData')).toBe(path.join(state.appData, 'airdesk-desktop'));

    // The token main generated is the one the core accepts: the console signs in and redirects.
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const origin = new URL(url).origin;
    const signIn = await fetch(url, { redirect: 'manual' });
    expect(signIn.status).toBe(302);

    const prefs = state.windows[0]?.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(prefs?.preload).toBe(path.join(import.meta.dirname, 'preload.cjs'));

    // CSP on every response; permissions denied but the console's clipboard writes.
    let headers: unknown;
    state.headersHandler?.({ responseHeaders: { 'content-type': ['text/html'] } }, (r) => (headers = r));
    expect(headers).toMatchObject({
      responseHeaders: { 'Content-Security-Policy': [expect.stringContaining("default-src 'self'")] },
    });
    const granted: boolean[] = [];
    state.permissionRequest?.({}, 'media', (g) => granted.push(g), { requestingUrl: `${origin}/` });
    state.permissionRequest?.({}, 'clipboard-sanitized-write', (g) => granted.push(g), {
      requestingUrl: `${origin}/`,
    });
    expect(granted).toEqual([false, true]);

    // Navigation stays on the console; http(s) elsewhere goes to the OS browser; other schemes nowhere.
    const contents = state.contents[0];
    if (!contents) throw new Error('no web contents');
    const inside = fakeEvent(`${origin}/tenants`);
    const away = fakeEvent('https://docs.example.com/');
    const file = fakeEvent('file:///etc/passwd');
    const lookalike = fakeEvent(`${origin}.evil.com/`);
    for (const e of [inside, away, file, lookalike]) contents.emit('will-navigate', e);
    expect([inside, away, file, lookalike].map((e) => e.defaultPrevented)).toEqual([false, true, true, true]);
    const redirect = fakeEvent('http://evil.example/');
    contents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
    const webview = fakeEvent('');
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    expect(contents.openHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'http://example.org/x' })).toEqual({ action: 'deny' });
    await until(() => (state.opened.length === 2 ? true : undefined), 'links to open');
    expect(state.opened).toEqual(['https://docs.example.com/', 'http://example.org/x']);

    // IPC answers the console frame only.
    const appInfo = state.ipc.get('app:info');
    await expect(appInfo?.({ senderFrame: { url: `${origin}/` } })).resolves.toEqual({
      version: '9.9.9',
      platform: process.platform,
      consoleUrl: `${origin}/`,
    });
    await expect(appInfo?.({ senderFrame: { url: 'http://127.0.0.1:1/' } })).rejects.toMatchObject({
      code: 'forbidden',
    });

    // Quit: the first quit is held until the core has drained, then quit proceeds.
    state.appEvents.emit('window-all-closed');
    await until(() => (state.quits >= 2 ? true : undefined), 'the core to stop and quit to resume');
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
    expect(state.errorBoxes).toEqual([]);
    expect(state.exitCode).toBeUndefined();
  });
});

describe('main (when the core fails to start)', () => {
  it("shows the exit code and the core's stderr, then exits 1", async () => {
    const appPath = path.join(scratch, 'broken-app');
    mkdirSync(path.join(appPath, 'bin'), { recursive: true });
    writeFileSync(
      path.join(appPath, 'bin', 'airdesk.js'),
      "console.error('airdesk: the database is locked by another airdesk'); process.exit(3);\n",
    );
    const state = await startMain(appPath);
    await until(() => state.exitCode, 'main to exit');
    expect(state.exitCode).toBe(1);
    expect(state.windows).toEqual([]);
    expect(state.errorBoxes).toHaveLength(1);
    expect(state.errorBoxes[0]?.title).toBe('airdesk could not start its core');
    expect(state.errorBoxes[0]?.content).toContain('exited with code 3 before it was ready');
    expect(state.errorBoxes[0]?.content).toContain(
      'Last output:\nairdesk: the database is locked by another airdesk',
    );
  });
});
