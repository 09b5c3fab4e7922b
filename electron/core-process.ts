import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** How to start the core: the CLI script, its arguments and environment. */
export interface CoreLaunch {
  modulePath: string;
  args: string[];
  env: Record<string, string>;
}

export interface CoreLaunchInputs {
  /** The app's root (`app.getAppPath()`): the package folder, or the app.asar in a packaged app. */
  appPath: string;
  /** The environment to pass on, normally `process.env`. */
  env: NodeJS.ProcessEnv;
  /** The console token the core must accept; see `newConsoleToken`. */
  token: string;
}

/**
 * The `airdesk serve` launch for the desktop shell: the console on a free loopback port (the shell learns it
 * from the listening line), the widget listener on the CLI's default, the token fixed by the shell.
 *
 * The data folder is not passed: `AIRDESK_HOME` reaches the core through the environment and, when unset, the
 * core picks the same per-user folder the `airdesk` CLI uses, so the desktop app and the CLI see the same
 * tenants (Electron's userData is `~/.config/airdesk` on Linux, not the spec's `~/.local/share/airdesk`).
 */
export function coreLaunch(inputs: CoreLaunchInputs): CoreLaunch {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs.env))
    if (value !== undefined && !droppedEnv.has(name)) env[name] = value;
  env.AIRDESK_CONSOLE_TOKEN = inputs.token;
  return {
    modulePath: path.join(inputs.appPath, 'bin', 'airdesk.js'),
    args: ['serve', '--console-port', '0'],
    env,
  };
}

/** Which runtime runs the core: Electron's own Node (a utility process) or a plain `node` executable. */
export type CoreRuntime = { kind: 'utility-process' } | { kind: 'node'; execPath: string };

/**
 * A packaged app runs the core as an Electron utility process, on native modules electron-builder rebuilt for
 * Electron's ABI. A development checkout has them built for plain Node (tests and the CLI need that), which
 * Electron cannot load, so there the core runs on plain Node: the one `npm start` ran on (AIRDESK_CORE_NODE,
 * set by scripts/start.js) or `node` from the PATH.
 */
export function coreRuntime(isPackaged: boolean, env: NodeJS.ProcessEnv): CoreRuntime {
  if (isPackaged) return { kind: 'utility-process' };
  return { kind: 'node', execPath: env.AIRDESK_CORE_NODE || 'node' };
}

/**
 * Variables that would change what the utility process is rather than what it does: it must run the CLI as
 * Electron's Node, and the token comes only from the shell.
 */
const droppedEnv = new Set(['ELECTRON_RUN_AS_NODE', 'AIRDESK_CONSOLE_TOKEN']);

/**
 * Where Chromium keeps the shell's own profile (Local State, GPU cache, crash dumps; the console session itself
 * is in memory). Electron's default, `<appData>/airdesk`, is the core's default data folder on macOS and Windows,
 * and the core refuses a non-empty folder without its marker, so the profile gets a folder of its own.
 */
export function shellProfileDir(appData: string): string {
  return path.join(appData, 'airdesk-desktop');
}

/** A fresh console token: 256 random bits, URL-safe so it can ride in `?token=`. */
export function newConsoleToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The error dialog's text when the core fails to start: what happened, what to do, and its last words. */
export function coreFailureMessage(reason: string, stderrTail: string): string {
  const advice =
    'Check that no other airdesk is using the same data folder or port, then start airdesk again. ' +
    'Running `airdesk serve` in a terminal shows the same error.';
  return stderrTail === ''
    ? `${reason}\n\n${advice}`
    : `${reason}\n\n${advice}\n\nLast output:\n${stderrTail}`;
}
