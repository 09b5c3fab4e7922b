import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFolder } from './watch.js';

let root: string;
const closers: (() => void)[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'airdesk-watch-'));
  mkdirSync(join(root, 'sub'));
});
afterEach(() => {
  for (const close of closers.splice(0)) close();
  rmSync(root, { recursive: true, force: true });
});

/** Starts watching; `next()` resolves with the next batch of changes, or rejects after a bounded wait. */
function watchBatches(options: Parameters<typeof watchFolder>[2] = {}) {
  const batches: string[][] = [];
  let wake: (() => void) | undefined;
  const close = watchFolder(
    root,
    (changed) => {
      batches.push(changed);
      wake?.();
    },
    { debounceMs: 50, ...options },
  );
  closers.push(close);
  async function next(timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (batches.length === 0) {
      if (Date.now() > deadline) throw new Error('no change reported in time');
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(50)]);
    }
    return batches.shift() ?? [];
  }
  return { next, batches, close };
}

describe('watchFolder', () => {
  it('reports a created and then a modified file below the folder, once changes settle', async () => {
    const { next } = watchBatches();
    await sleep(50);
    writeFileSync(join(root, 'sub', 'new.md'), 'one');
    writeFileSync(join(root, 'sub', 'new.md'), 'two');
    expect(await next()).toContain('sub/new.md');
    writeFileSync(join(root, 'sub', 'new.md'), 'three');
    expect(await next()).toEqual(['sub/new.md']);
  });

  it('reports a file in a folder created after watching started', async () => {
    const { next } = watchBatches();
    await sleep(50);
    mkdirSync(join(root, 'later'));
    await sleep(100);
    writeFileSync(join(root, 'later', 'a.md'), 'a');
    const changed = new Set<string>();
    while (!changed.has('later/a.md')) for (const path of await next()) changed.add(path);
    expect(changed.has('later/a.md')).toBe(true);
  });

  it('ignores hidden and excluded files, and nothing comes after close', async () => {
    const { next, batches, close } = watchBatches({ exclude: ['*.tmp'] });
    await sleep(50);
    writeFileSync(join(root, '.swap'), 'x');
    writeFileSync(join(root, 'sub', 'x.tmp'), 'x');
    await sleep(300);
    expect(batches).toEqual([]);
    writeFileSync(join(root, 'a.md'), 'a');
    expect(await next()).toEqual(['a.md']);
    close();
    writeFileSync(join(root, 'b.md'), 'b');
    await sleep(300);
    expect(batches).toEqual([]);
  });
});
