import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { listeningEventSchema, type ListeningEvent } from '../../core/contract/console-api.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** A running `airdesk serve` on a throw-away data folder. */
export interface ServerUnderTest {
  process: ChildProcess;
  home: string;
  token: string;
  /** The console URL the server printed, with `?token=`. */
  consoleUrl: string;
  /** The console's origin, without the token. */
  origin: string;
  listening: ListeningEvent;
  /** Everything the server wrote to stderr, for failure messages. */
  stderr(): string;
}

/**
 * Starts `node bin/airdesk.js serve` on free ports and resolves once it prints its `listening` line.
 * Fails with the server's stderr if it exits or stays silent first.
 */
export async function startServer(
  token: string,
  timeoutMs = 30_000,
  options: { home?: string; env?: NodeJS.ProcessEnv; widgetHost?: string } = {},
): Promise<ServerUnderTest> {
  const home = options.home ?? (await mkdtemp(path.join(tmpdir(), 'airdesk-e2e-')));
  const child = spawn(
    process.execPath,
    [
      'bin/airdesk.js',
      'serve',
      '--home',
      home,
      '--console-port',
      '0',
      '--widget-port',
      '0',
      ...(options.widgetHost ? ['--widget-host', options.widgetHost] : []),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, ...options.env, AIRDESK_CONSOLE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });

  const listening = await new Promise<ListeningEvent>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    function fail(why: string) {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(new Error(`airdesk serve: ${why}\n--- stderr ---\n${stderr}`));
    }
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(error.message));
    lines.on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return; // not the machine-readable line
      }
      const event = listeningEventSchema.safeParse(parsed);
      if (!event.success) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve(event.data);
    });
  });

  return {
    process: child,
    home,
    token,
    consoleUrl: listening.console,
    origin: new URL(listening.console).origin,
    listening,
    stderr: () => stderr,
  };
}

/** Sends SIGTERM and resolves with the exit code (null if killed by a signal), then removes the data folder. */
export async function stopServer(server: ServerUnderTest, timeoutMs = 15_000): Promise<number | null> {
  const child = server.process;
  try {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code] = await exited;
    clearTimeout(timer);
    return code;
  } finally {
    await rm(server.home, { recursive: true, force: true });
  }
}
