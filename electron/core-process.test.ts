import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  coreFailureMessage,
  coreLaunch,
  coreRuntime,
  newConsoleToken,
  shellProfileDir,
} from './core-process.js';

describe('coreLaunch', () => {
  const launch = coreLaunch({
    appPath: '/opt/airdesk/resources/app.asar',
    env: {
      PATH: '/usr/bin',
      AIRDESK_HOME: '/srv/airdesk',
      ELECTRON_RUN_AS_NODE: '1',
      AIRDESK_CONSOLE_TOKEN: 'from-the-user',
      UNSET: undefined,
    },
    token: 'tok',
  });

  it('runs the CLI from the app root with the console on a free port', () => {
    expect(launch.modulePath).toBe(path.join('/opt/airdesk/resources/app.asar', 'bin', 'airdesk.js'));
    expect(launch.args).toEqual(['serve', '--console-port', '0']);
  });

  it("passes the shell's token and the environment, minus what would change the process", () => {
    expect(launch.env).toEqual({
      PATH: '/usr/bin',
      AIRDESK_HOME: '/srv/airdesk',
      AIRDESK_CONSOLE_TOKEN: 'tok',
    });
  });
});

describe('newConsoleToken', () => {
  it('is URL-safe, 256 bits, and new every time', () => {
    const tokens = new Set(Array.from({ length: 20 }, () => newConsoleToken()));
    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('coreFailureMessage', () => {
  it("says what happened, what to do, and shows the core's last output", () => {
    const message = coreFailureMessage(
      'The airdesk core exited with code 1 before it was ready.',
      'EADDRINUSE 8080',
    );
    expect(message).toMatch(/^The airdesk core exited with code 1/);
    expect(message).toContain('start airdesk again');
    expect(message).toMatch(/Last output:\nEADDRINUSE 8080$/);
    expect(coreFailureMessage('x', '')).not.toContain('Last output');
  });
});

describe('shellProfileDir', () => {
  it("keeps Chromium's profile out of the core's default data folder (<appData>/airdesk)", () => {
    const appData = path.join('/Users/ana/Library/Application Support');
    expect(shellProfileDir(appData)).toBe(path.join(appData, 'airdesk-desktop'));
    expect(shellProfileDir(appData)).not.toBe(path.join(appData, 'airdesk'));
  });
});

describe('coreRuntime', () => {
  it('uses a utility process in a packaged app, whatever the environment says', () => {
    expect(coreRuntime(true, { AIRDESK_CORE_NODE: '/usr/bin/node' })).toEqual({ kind: 'utility-process' });
  });

  it('uses the Node that npm start ran on in a checkout, else node from the PATH', () => {
    expect(coreRuntime(false, { AIRDESK_CORE_NODE: '/opt/node22/bin/node' })).toEqual({
      kind: 'node',
      execPath: '/opt/node22/bin/node',
    });
    expect(coreRuntime(false, {})).toEqual({ kind: 'node', execPath: 'node' });
    expect(coreRuntime(false, { AIRDESK_CORE_NODE: '' })).toEqual({ kind: 'node', execPath: 'node' });
  });
});
