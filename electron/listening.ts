import { AppError } from '../core/contract/errors.js';
import { listeningEventSchema, type ListeningEvent } from '../core/contract/console-api.js';
import { loopbackOriginOf } from './navigation.js';

/** The core's listening line, with the console origin the desktop shell trusts from then on. */
export interface CoreListening {
  event: ListeningEvent;
  /** `http://127.0.0.1:P`: the only origin the window may show and the only IPC sender answered. */
  consoleOrigin: string;
}

/** A line longer than this is not the listening line; stop buffering instead of growing without bound. */
const maxLineChars = 64 * 1024;

/**
 * Finds the `{"event":"listening",...}` line in the core's stdout, fed chunk by chunk as it arrives. Other lines
 * (there should be none, but a stray log must not break start-up) are skipped.
 */
export class ListeningLineParser {
  readonly #decoder = new TextDecoder();
  #pending = '';

  /**
   * Adds a chunk of stdout; returns the listening event once its line is complete.
   * @throws AppError `unavailable` when the line is there but malformed, or a line grows past 64 KiB.
   */
  push(chunk: string | Uint8Array): CoreListening | undefined {
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      const line = this.#pending.slice(0, newline).trim();
      this.#pending = this.#pending.slice(newline + 1);
      const found = parseListeningLine(line);
      if (found) return found;
      newline = this.#pending.indexOf('\n');
    }
    if (this.#pending.length > maxLineChars)
      throw new AppError('unavailable', 'The airdesk core printed an over-long line instead of its address.');
    return undefined;
  }
}

/**
 * Parses one stdout line: the listening event with a loopback console URL, or undefined when the line is not a
 * listening event at all.
 * @throws AppError `unavailable` when it claims to be the listening event but does not match the contract.
 */
export function parseListeningLine(line: string): CoreListening | undefined {
  if (!line.startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || (json as { event?: unknown }).event !== 'listening')
    return undefined;
  const parsed = listeningEventSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError('unavailable', `The airdesk core printed a malformed listening line: ${line}`);
  const consoleOrigin = loopbackOriginOf(parsed.data.console);
  if (consoleOrigin === null)
    throw new AppError(
      'unavailable',
      `The airdesk core's console address is not an http address on this machine: ${parsed.data.console}`,
    );
  return { event: parsed.data, consoleOrigin };
}

/** The last characters a stream printed, kept for the error dialog when the core dies. */
export class OutputTail {
  readonly #decoder = new TextDecoder();
  #text = '';

  constructor(readonly maxChars = 4000) {}

  push(chunk: string | Uint8Array): void {
    this.#text += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (this.#text.length > this.maxChars) this.#text = this.#text.slice(-this.maxChars);
  }

  toString(): string {
    return this.#text.trimEnd();
  }
}

/** The parts of a child process `waitForListening` needs; both Node child processes and Electron utility processes fit. */
export interface StartingCore {
  stdout: NodeJS.ReadableStream | null;
  /** Settles with the exit code when the process exits (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Waits for the core's listening line.
 * @throws AppError `unavailable` when the core exits first, its stdout ends, the line is malformed, or
 * `timeoutMs` passes; the message says which.
 */
export function waitForListening(core: StartingCore, timeoutMs: number): Promise<CoreListening> {
  const stdout = core.stdout;
  if (stdout === null)
    return Promise.reject(new Error('the core must be started with stdout piped to read its listening line'));
  const parser = new ListeningLineParser();
  return new Promise<CoreListening>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(endGrace);
      stdout.removeListener('data', onData);
      stdout.removeListener('end', onEnd);
      outcome();
    };
    const fail = (message: string): void => finish(() => reject(new AppError('unavailable', message)));
    const onData = (chunk: string | Uint8Array): void => {
      try {
        const found = parser.push(chunk);
        if (found) finish(() => resolve(found));
      } catch (error) {
        finish(() => reject(asError(error)));
      }
    };
    // Output ends just before the process exits; wait a moment so the exit code makes the message.
    let endGrace: NodeJS.Timeout | undefined;
    const onEnd = (): void => {
      endGrace = setTimeout(() => fail('The airdesk core closed its output before it was ready.'), 1000);
    };
    const timer = setTimeout(
      () => fail(`The airdesk core did not start within ${timeoutMs / 1000} seconds.`),
      timeoutMs,
    );
    stdout.on('data', onData);
    stdout.once('end', onEnd);
    core.exited.then(
      (code) =>
        fail(
          code === null
            ? 'The airdesk core was killed before it was ready.'
            : `The airdesk core exited with code ${code} before it was ready.`,
        ),
      (error: unknown) => finish(() => reject(asError(error))),
    );
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
