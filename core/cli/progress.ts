import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Advance by `n` items (default 1). */
  tick(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  stream?: Writable & { isTTY?: boolean };
  /** Non-terminal output gets a plain line at most every this many percent. */
  stepPercent?: number;
}

/**
 * A progress bar on stderr for long work (ingest, sync, benchmarks). On a terminal it redraws in place; in a
 * pipe or log it prints a plain line every few percent, so CI logs stay readable and stdout stays clean for --json.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  let total = Math.max(0, options.total);
  let done = 0;
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(total, 0);
    return {
      tick: (n = 1) => bar.increment(n),
      setTotal: (t) => bar.setTotal(t),
      stop: () => bar.stop(),
    };
  }
  const step = options.stepPercent ?? 10;
  let lastReported = -1;
  const report = () => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    const bucket = Math.floor(percent / step);
    if (bucket === lastReported) return;
    lastReported = bucket;
    stream.write(`${options.label}: ${done}/${total} (${percent}%)\n`);
  };
  return {
    tick(n = 1) {
      done = Math.min(total, done + n);
      report();
    },
    setTotal(t) {
      total = Math.max(0, t);
    },
    stop() {
      if (lastReported !== Math.floor(100 / step)) {
        lastReported = -1;
        report();
      }
    },
  };
}

/**
 * A running count for work whose total is unknown up front (streamed files and records): redrawn in place on
 * a terminal, a plain line every `every` items otherwise.
 */
export function createCounter(options: {
  label: string;
  unit: string;
  every?: number;
  stream?: Writable & { isTTY?: boolean };
}) {
  const stream = options.stream ?? process.stderr;
  const every = options.every ?? 1000;
  let count = 0;
  let drawn = false;
  return {
    set(n: number, detail = '') {
      count = n;
      if (stream.isTTY) {
        stream.write(`\r${options.label}: ${count} ${options.unit}${detail ? ` (${detail})` : ''}\u001b[K`);
        drawn = true;
      } else if (count % every === 0) {
        stream.write(`${options.label}: ${count} ${options.unit}${detail ? ` (${detail})` : ''}\n`);
      }
    },
    stop() {
      if (drawn) stream.write('\n');
      else if (!stream.isTTY && count % every !== 0)
        stream.write(`${options.label}: ${count} ${options.unit}\n`);
    },
  };
}
