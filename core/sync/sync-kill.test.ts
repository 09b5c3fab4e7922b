import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncRun } from '../contract/connector.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { packageRoot } from '../package-root.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';

const child = path.join(packageRoot, 'core', 'sync', 'testing', 'sync-child.ts');
const count = 120;

function startSync(
  home: string,
  connectorId: string,
): { process: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const p = spawn(process.execPath, ['--import', 'tsx', child, home, connectorId, String(count)], {
    // One process (tsx's CLI would fork a second), so SIGKILL kills the sync itself.
    cwd: packageRoot,
    env: { ...process.env, LANCEDB_LOG: 'error' },
  });
  let output = '';
  p.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  return { process: p, output: () => output, exit };
}

describe('a sync killed mid-run (SIGKILL)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('resumes from the last saved page: nothing lost, nothing duplicated', async () => {
    const home = path.join(dir, 'home');
    let store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    const connector = await store.connectors.add('acme', { kind: 'fake', name: 'wiki', settings: {} });
    await store.close();

    const first = startSync(home, connector.id);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (/page 4 loading/.test(first.output())) {
          clearInterval(timer);
          first.process.kill('SIGKILL');
          resolve();
        }
      }, 5);
      void first.exit.then(() => {
        clearInterval(timer);
        resolve();
      });
    });
    await first.exit;
    expect(first.output()).not.toMatch(/"status"/); // it really died mid-run

    const second = startSync(home, connector.id);
    const code = await second.exit;
    expect(code).toBe(0);
    const loads = [...second.output().matchAll(/^load (\d+)$/gm)].map((m) => Number(m[1]));
    expect(loads[0]).toBeGreaterThanOrEqual(40); // resumed after the saved pages, not from 0
    const run = JSON.parse(second.output().trim().split('\n').at(-1)!) as SyncRun;
    expect(run.status).toBe('succeeded');
    expect(run.added).toBeLessThan(count);

    store = openSqliteStore(home);
    const kb = new KnowledgeBase({ store, embedder: null });
    try {
      const docs = await store.knowledge.listDocuments('acme', { limit: 10_000 });
      expect(docs).toHaveLength(count);
      expect(await (await kb.indexFor('acme')).countChunks()).toBe(count); // one chunk each: no duplicates
      const runs = await store.connectors.runs('acme', connector.id);
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
      expect(runs[1]?.error).toMatch(/interrupted/);
      const hit = (await kb.search('acme', 'item117', { mode: 'bm25', k: 1 })).hits[0];
      expect(hit?.externalId).toBe('doc0117');
    } finally {
      await kb.close();
      await store.close();
    }
  }, 120_000);
});
