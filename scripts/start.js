// What `npm start` runs (SPEC "Set-up"): the desktop console in Electron where an Electron binary and a display
// are available, otherwise the same console in headless server mode, whose listening line prints its URL.
// Arguments after `npm start --` go to `airdesk serve` in headless mode (e.g. `--widget-port 8080`).
//
// It never imports the `electron` package: from plain Node that would try to download the binary, which these
// machines cannot (docs: DEPENDENCIES.md "Electron"). The binary is looked up on disk the way the package does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Decides how to start, from facts about the machine passed in (so tests need no real Electron or display).
 * @param {{ root: string, platform: string, env: Record<string, string | undefined>,
 *   exists: (file: string) => boolean, readText: (file: string) => string | undefined }} host
 * @returns {{ mode: 'electron', electron: string } | { mode: 'headless', reason: string }}
 */
export function chooseLaunch(host) {
  if (host.env.AIRDESK_HEADLESS === '1') return { mode: 'headless', reason: 'AIRDESK_HEADLESS=1 is set' };
  const electron = electronBinary(host);
  if (electron === undefined)
    return { mode: 'headless', reason: 'no Electron binary installed (offline machine)' };
  if (!hasDisplay(host.platform, host.env))
    return { mode: 'headless', reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { mode: 'electron', electron };
}

/**
 * The Electron executable if it is on disk: `node_modules/electron/path.txt` names it inside `dist/` (or inside
 * ELECTRON_OVERRIDE_DIST_PATH, which the package honours too).
 * @param {Parameters<typeof chooseLaunch>[0]} host
 * @returns {string | undefined}
 */
export function electronBinary(host) {
  const pkg = path.join(host.root, 'node_modules', 'electron');
  const name = host.readText(path.join(pkg, 'path.txt'))?.trim() || undefined;
  const override = host.env.ELECTRON_OVERRIDE_DIST_PATH;
  const file = override ? path.join(override, name ?? 'electron') : name && path.join(pkg, 'dist', name);
  return file && host.exists(file) ? file : undefined;
}

/** Linux and the BSDs need an X11 or Wayland display; macOS and Windows always have one. */
export function hasDisplay(platform, env) {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Build outputs the chosen mode runs, relative to the package root. */
export function requiredBuildOutputs(mode) {
  const serve = ['dist/core/cli/main.js', 'dist/renderer/index.html'];
  return mode === 'electron' ? [...serve, 'dist/electron/main.js', 'dist/electron/preload.cjs'] : serve;
}

/** Runs `command`, passing on Ctrl-C / SIGTERM, and exits as it exits. */
function runForwarding(command, args, options) {
  const child = spawn(command, args, { stdio: 'inherit', ...options });
  const signals = ['SIGINT', 'SIGTERM'];
  const forward = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (error) => {
    console.error(`airdesk: could not run ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/** Builds when an output is missing (a fresh clone whose install skipped `prepare`); build logs go to stderr. */
function ensureBuilt(mode) {
  const missing = requiredBuildOutputs(mode).filter((file) => !existsSync(path.join(root, file)));
  if (missing.length === 0) return;
  console.error(`airdesk: ${missing[0]} is missing – running \`npm run build\` first`);
  const npm = process.env.npm_execpath;
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
    : spawnSync('npm', ['run', 'build'], {
        cwd: root,
        stdio: ['ignore', 2, 2],
        shell: process.platform === 'win32',
      });
  if (result.status !== 0) {
    console.error('airdesk: the build failed; fix the errors above (or run `npm run build`) and try again');
    process.exit(1);
  }
}

function main() {
  const launch = chooseLaunch({
    root,
    platform: process.platform,
    env: process.env,
    exists: existsSync,
    readText: (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
  });
  ensureBuilt(launch.mode);
  const args = process.argv.slice(2);
  if (launch.mode === 'electron') {
    // ELECTRON_RUN_AS_NODE would make the binary a plain Node and ignore the app. The core runs on this Node,
    // whose ABI the checkout's native modules were built for (electron/core-process.ts, coreRuntime).
    const env = { ...process.env, AIRDESK_CORE_NODE: process.execPath };
    delete env.ELECTRON_RUN_AS_NODE;
    runForwarding(launch.electron, [root], { env });
  } else {
    console.error(`airdesk: ${launch.reason} – starting the console in headless server mode`);
    runForwarding(process.execPath, [path.join(root, 'bin', 'airdesk.js'), 'serve', ...args]);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
