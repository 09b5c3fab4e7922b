/**
 * The desktop shell's main process: a thin adapter that wires Electron to the pure modules beside it. It starts
 * the headless core as its own process (`airdesk serve`), opens one locked-down window on the core's console
 * URL, answers the preload's DesktopApi messages, and stops the core on quit. Decisions (what may load, who is
 * answered, how the core is launched) live in the imported modules, where plain-Node tests check them.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Notification,
  session,
  shell,
  utilityProcess,
  type WebContents,
} from 'electron';
import {
  coreFailureMessage,
  coreLaunch,
  coreRuntime,
  newConsoleToken,
  shellProfileDir,
  type CoreLaunch,
  type CoreRuntime,
} from './core-process.js';
import { withCsp } from './csp.js';
import { bindDesktopHandlers, createDesktopHandlers } from './ipc-handlers.js';
import { OutputTail, waitForListening, type CoreListening } from './listening.js';
import { externalLinkTarget, isAllowedNavigation, isPermissionGranted } from './navigation.js';
import { consolePartition, consoleWindowOptions } from './window-options.js';

/** First start may migrate databases and load models, so allow more than a server's usual second. */
const coreStartTimeoutMs = 60_000;
/** How long the core may drain on SIGTERM before it is killed. */
const coreStopTimeoutMs = 10_000;

/** Known once the core's listening line is read; until then nothing navigates and no IPC is answered. */
let consoleOrigin: string | null = null;
let core: CoreProcess | null = null;
let consoleWindow: BrowserWindow | null = null;
let quitting = false;

function main(): void {
  // Before anything reads it (the single-instance lock does): see shellProfileDir.
  app.setPath('userData', shellProfileDir(app.getPath('appData')));
  // Every renderer sandboxed, including any a future change forgets to configure.
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    // Two shells would start two cores on the same data folder; the first one is brought forward instead.
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (consoleWindow === null) return;
    if (consoleWindow.isMinimized()) consoleWindow.restore();
    consoleWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  // One window is the app; closing it quits on every platform, as the core should not run unseen.
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (core === null) return;
    event.preventDefault();
    void stopCore().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => fail('airdesk could not start', messageOf(error)));
}

async function start(): Promise<void> {
  hardenConsoleSession();
  bindDesktopHandlers(
    ipcMain,
    createDesktopHandlers({
      showOpenDialog: (options) =>
        consoleWindow ? dialog.showOpenDialog(consoleWindow, options) : dialog.showOpenDialog(options),
      showItemInFolder: (fullPath) => shell.showItemInFolder(fullPath),
      appInfo: () => ({
        version: app.getVersion(),
        platform: process.platform,
        // The origin only: the token has done its job once the session cookie is set.
        consoleUrl: consoleOrigin === null ? '' : `${consoleOrigin}/`,
      }),
      notify: ({ title, body }) => {
        if (!Notification.isSupported()) return;
        const notification = new Notification({ title, body });
        notification.on('click', () => {
          if (!consoleWindow) return;
          if (consoleWindow.isMinimized()) consoleWindow.restore();
          consoleWindow.focus();
        });
        notification.show();
      },
    }),
    () => consoleOrigin,
  );

  let listening: CoreListening;
  try {
    listening = await startCore();
  } catch (error) {
    fail('airdesk could not start its core', messageOf(error));
    return;
  }
  consoleOrigin = listening.consoleOrigin;
  consoleWindow = new BrowserWindow(
    consoleWindowOptions({
      preload: path.join(import.meta.dirname, 'preload.cjs'),
      devTools: !app.isPackaged,
    }),
  );
  consoleWindow.once('ready-to-show', () => consoleWindow?.show());
  consoleWindow.on('closed', () => {
    consoleWindow = null;
  });
  try {
    // The URL carries `?token=`; the console trades it for a session cookie and redirects to `/`.
    await consoleWindow.loadURL(listening.event.console);
  } catch (error) {
    fail('airdesk could not open its console', messageOf(error));
  }
}

/** Applies the CSP and denies permissions on the console's session (checklist: CSP, permission requests). */
function hardenConsoleSession(): void {
  const consoleSession = session.fromPartition(consolePartition);
  consoleSession.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withCsp(details.responseHeaders) }),
  );
  consoleSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionGranted(permission, details.requestingUrl, consoleOrigin)),
  );
  consoleSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin, consoleOrigin),
  );
  consoleSession.setDevicePermissionHandler(() => false);
}

/**
 * Locks every web contents the app ever creates (checklist: no webviews, limit navigation, limit new windows,
 * openExternal only for vetted http(s) links).
 */
function hardenContents(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event) => {
    if (isAllowedNavigation(event.url, consoleOrigin)) return;
    event.preventDefault();
    openExternally(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url, consoleOrigin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}

/** Hands a link to the OS browser when the policy allows it; anything else is dropped. */
function openExternally(url: string): void {
  const target = externalLinkTarget(url, consoleOrigin);
  if (target === null) return;
  shell
    .openExternal(target)
    .catch((error: unknown) => console.error(`airdesk: could not open ${target}:`, error));
}

/** The core's process, whichever runtime runs it. */
interface CoreProcess {
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;
  /** Settles with the exit code (null when killed by a signal or never started). */
  exited: Promise<number | null>;
  pid: number | undefined;
  /** SIGTERM on POSIX: the core drains and exits 0. */
  terminate(): void;
}

/** Starts `launch` on `runtime` (see coreRuntime); a failure to start at all shows up as an exit and in `tail`. */
function forkCore(launch: CoreLaunch, runtime: CoreRuntime, tail: OutputTail): CoreProcess {
  if (runtime.kind === 'utility-process') {
    const child = utilityProcess.fork(launch.modulePath, launch.args, {
      env: launch.env,
      stdio: 'pipe',
      serviceName: 'airdesk core',
    });
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      exited: new Promise((resolve) => child.once('exit', resolve)),
      get pid() {
        return child.pid;
      },
      terminate: () => void child.kill(),
    };
  }
  const child = spawn(runtime.execPath, [launch.modulePath, ...launch.args], {
    env: launch.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    exited: new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (error) => {
        tail.push(`could not run ${runtime.execPath}: ${error.message}\n`);
        resolve(null);
      });
    }),
    pid: child.pid,
    terminate: () => void child.kill('SIGTERM'),
  };
}

/**
 * Starts `airdesk serve` and waits for its listening line. On failure the core is stopped and the error thrown,
 * its message ready for the error dialog (with the core's last stderr lines).
 */
async function startCore(): Promise<CoreListening> {
  const launch = coreLaunch({ appPath: app.getAppPath(), env: process.env, token: newConsoleToken() });
  const stderrTail = new OutputTail();
  const child = forkCore(launch, coreRuntime(app.isPackaged, process.env), stderrTail);
  const stderrEnded = new Promise<void>((resolve) => child.stderr?.once('end', () => resolve()));
  const exited = child.exited;
  core = child;
  // Both pipes are always read, so a chatty core never blocks on a full pipe; developers see its output.
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail.push(chunk);
    if (!app.isPackaged) process.stderr.write(chunk);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (!app.isPackaged) process.stdout.write(chunk);
  });
  void exited.then((code) => {
    if (core === child) core = null;
    if (!quitting && consoleOrigin !== null)
      fail(
        'airdesk core stopped',
        coreFailureMessage(`The airdesk core exited with code ${code ?? 'none'}.`, stderrTail.toString()),
      );
  });
  try {
    return await waitForListening({ stdout: child.stdout, exited }, coreStartTimeoutMs);
  } catch (error) {
    await stopCore();
    // The last stderr lines can arrive just after the exit; they are the ones that say what went wrong.
    await Promise.race([stderrEnded, delay(500)]);
    throw new Error(coreFailureMessage(messageOf(error), stderrTail.toString()), { cause: error });
  }
}

/** SIGTERM (the core drains and exits 0), then a kill if it has not exited in time. */
async function stopCore(): Promise<void> {
  const running = core;
  if (running === null) return;
  quitting = true;
  running.terminate();
  const outcome = await Promise.race([
    running.exited,
    delay(coreStopTimeoutMs).then(() => 'timeout' as const),
  ]);
  if (outcome === 'timeout' && running.pid !== undefined) {
    try {
      process.kill(running.pid, 'SIGKILL');
    } catch {
      // It exited between the timeout and the kill.
    }
  }
  if (core === running) core = null;
}

/** Shows what went wrong and what to do, then quits (stopping the core if it still runs). */
function fail(title: string, message: string): void {
  console.error(`airdesk: ${title}: ${message}`);
  dialog.showErrorBox(title, message);
  quitting = true;
  void stopCore().finally(() => app.exit(1));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main();
