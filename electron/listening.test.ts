import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/contract/errors.js';
import { ListeningLineParser, OutputTail, parseListeningLine, waitForListening } from './listening.js';

const line = JSON.stringify({
  event: 'listening',
  console: 'http://127.0.0.1:41234/?token=abc',
  widget: 'http://0.0.0.0:8080',
});

describe('ListeningLineParser', () => {
  it('finds the line across chunk boundaries, including a split UTF-8 character', () => {
    const parser = new ListeningLineParser();
    const bytes = Buffer.from(`log: café\n${line}\n`);
    const split = bytes.indexOf(0xa9); // second byte of "é"
    expect(parser.push(bytes.subarray(0, split))).toBeUndefined();
    expect(parser.push(bytes.subarray(split, split + 20))).toBeUndefined();
    const found = parser.push(bytes.subarray(split + 20));
    expect(found?.consoleOrigin).toBe('http://127.0.0.1:41234');
    expect(found?.event.console).toBe('http://127.0.0.1:41234/?token=abc');
  });

  it('skips stray output and other JSON events, and accepts CRLF line ends', () => {
    const parser = new ListeningLineParser();
    expect(parser.push('starting…\n{"event":"migrating"}\n[1,2]\n')).toBeUndefined();
    expect(parser.push(`${line}\r\n`)?.consoleOrigin).toBe('http://127.0.0.1:41234');
  });

  it('waits for the newline before parsing', () => {
    const parser = new ListeningLineParser();
    expect(parser.push(line)).toBeUndefined();
    expect(parser.push('\n')).toBeDefined();
  });

  it('refuses an over-long line instead of buffering without bound', () => {
    const parser = new ListeningLineParser();
    expect(() => parser.push('x'.repeat(70 * 1024))).toThrow(AppError);
  });
});

describe('parseListeningLine', () => {
  it('rejects a listening event that breaks the contract', () => {
    expect(() =>
      parseListeningLine('{"event":"listening","console":"not a url","widget":"http://a:1"}'),
    ).toThrow(/malformed listening line/);
    expect(() => parseListeningLine('{"event":"listening","console":"http://127.0.0.1:1/"}')).toThrow(
      AppError,
    );
  });

  it('rejects a console address that is not plain http on loopback', () => {
    for (const consoleUrl of [
      'http://10.0.0.5:8080/?token=t',
      'https://127.0.0.1:8080/?token=t',
      'http://127.0.0.1.evil.com:8080/?token=t',
      'http://user:pw@127.0.0.1:8080/?token=t',
      'file:///etc/passwd',
    ]) {
      const json = JSON.stringify({ event: 'listening', console: consoleUrl, widget: 'http://0.0.0.0:1' });
      expect(() => parseListeningLine(json), consoleUrl).toThrow(/not an http address on this machine/);
    }
  });

  it('accepts localhost and IPv6 loopback', () => {
    for (const [consoleUrl, origin] of [
      ['http://localhost:5000/?token=t', 'http://localhost:5000'],
      ['http://[::1]:5000/?token=t', 'http://[::1]:5000'],
    ] as const) {
      const json = JSON.stringify({ event: 'listening', console: consoleUrl, widget: 'http://0.0.0.0:1' });
      expect(parseListeningLine(json)?.consoleOrigin).toBe(origin);
    }
  });

  it('ignores lines that are not a listening event', () => {
    expect(parseListeningLine('')).toBeUndefined();
    expect(parseListeningLine('{not json')).toBeUndefined();
    expect(parseListeningLine('{"event":"ready"}')).toBeUndefined();
    expect(parseListeningLine('null')).toBeUndefined();
  });
});

describe('OutputTail', () => {
  it('keeps only the last characters', () => {
    const tail = new OutputTail(10);
    tail.push('0123456789');
    tail.push(Buffer.from('abcde\n'));
    expect(tail.toString()).toBe('6789abcde');
  });
});

/** A real child process running `script`, as the desktop shell runs the core. */
function startNode(script: string) {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, core: { stdout: child.stdout, exited } };
}

describe('waitForListening', () => {
  it('resolves once a real process prints the line, even in pieces', async () => {
    const { child, core } = startNode(`
      const line = ${JSON.stringify(line)};
      process.stdout.write('booting\\n' + line.slice(0, 30));
      setTimeout(() => process.stdout.write(line.slice(30) + '\\n'), 50);
      setTimeout(() => {}, 10000);
    `);
    try {
      const found = await waitForListening(core, 10_000);
      expect(found.consoleOrigin).toBe('http://127.0.0.1:41234');
      expect(found.event.widget).toBe('http://0.0.0.0:8080');
    } finally {
      child.kill();
    }
  });

  it('rejects with the exit code when the process dies first', async () => {
    const { core } = startNode(`console.error('database is locked'); process.exit(3);`);
    await expect(waitForListening(core, 10_000)).rejects.toThrow('exited with code 3 before it was ready');
  });

  it('rejects when the process does not print the line in time', async () => {
    const { child, core } = startNode(`setTimeout(() => {}, 10000);`);
    try {
      const started = Date.now();
      await expect(waitForListening(core, 200)).rejects.toThrow('did not start within 0.2 seconds');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      child.kill();
    }
  });

  it('rejects a malformed listening line', async () => {
    const { child, core } = startNode(
      `console.log('{"event":"listening","console":"http://example.com/","widget":"http://a:1"}');
       setTimeout(() => {}, 10000);`,
    );
    try {
      await expect(waitForListening(core, 10_000)).rejects.toThrow(/not an http address/);
    } finally {
      child.kill();
    }
  });
});
