import type { Writable } from 'node:stream';

/** Where a command writes: machine output to stdout when --json, human messages to stderr. */
export interface Output {
  json: boolean;
  stdout: Writable;
  stderr: Writable;
  /** The command's result: JSON on stdout with --json, else the human text on stdout. */
  result(value: unknown, human: string): void;
  /** A message for the person at the terminal; never mixed into machine output. */
  info(message: string): void;
}

export function createOutput(
  json: boolean,
  stdout: Writable = process.stdout,
  stderr: Writable = process.stderr,
): Output {
  return {
    json,
    stdout,
    stderr,
    result(value, human) {
      stdout.write(json ? JSON.stringify(value) + '\n' : human.endsWith('\n') ? human : human + '\n');
    },
    info(message) {
      stderr.write(message + '\n');
    },
  };
}

/** A plain-text table with aligned columns, for human output. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
