import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contract/store.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { shippedRegistry } from './registry.js';
import { SyncScheduler, validateSchedule } from './scheduler.js';
import { FakeSource, fakeRegistry, memorySecretStore } from './testing/fake-connector.js';

describe('SyncScheduler', () => {
  let cleanup: () => void;
  let store: Store;
  let kb: KnowledgeBase;
  let source: FakeSource;
  let scheduler: SyncScheduler;
  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    store = openSqliteStore(path.join(dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    kb = new KnowledgeBase({ store, embedder: null });
    source = new FakeSource();
    for (let i = 0; i < 6; i++) source.put(`d${i}`, `Doc ${i}`, `# Doc ${i}\n\nBody number ${i}.`);
    scheduler = new SyncScheduler({
      kb,
      store,
      secrets: memorySecretStore(),
      registry: fakeRegistry(source),
      concurrency: 2,
    });
  });
  afterEach(async () => {
    await scheduler.stop();
    await kb.close();
    await store.close();
    cleanup();
  });
  const add = (name: string, schedule: string | null = null) =>
    store.connectors.add('acme', { kind: 'fake', name, settings: {}, schedule });

  it('runs on the cron schedule', async () => {
    const c = await add('wiki', '* * * * * *'); // every second
    const ended: string[] = [];
    scheduler = new SyncScheduler({
      kb,
      store,
      secrets: memorySecretStore(),
      registry: fakeRegistry(source),
      onRunEnd: (_t, id, outcome) => ended.push(`${id}:${'run' in outcome ? outcome.run.status : 'error'}`),
    });
    await scheduler.refresh();
    expect(scheduler.nextRuns()).toMatchObject([
      { tenant: 'acme', connectorId: c.id, at: expect.any(Date) as unknown },
    ]);
    await expect.poll(() => ended.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(ended[0]).toBe(`${c.id}:succeeded`);
    await store.connectors.update('acme', c.id, { enabled: false });
    await scheduler.refresh();
    expect(scheduler.nextRuns()).toEqual([]);
  });

  it('joins a second run-now of a connector already running, and bounds concurrency', async () => {
    source.pageDelayMs = 80;
    const [a, b, c] = [await add('a'), await add('b'), await add('c')];
    const first = scheduler.runNow('acme', a.id);
    expect(scheduler.runNow('acme', a.id)).toBe(first);
    const others = [scheduler.runNow('acme', b.id), scheduler.runNow('acme', c.id)];
    expect(['running', 'running', 'queued']).toEqual([a, b, c].map((x) => scheduler.status('acme', x.id)));
    const runs = await Promise.all([first, ...others]);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(scheduler.status('acme', a.id)).toBe('idle');
    expect((await store.connectors.runs('acme', a.id)).length).toBe(1);
  });

  it('cancels a running sync, and stop() cancels what is left', async () => {
    source.pageDelayMs = 100;
    const a = await add('a');
    const running = scheduler.runNow('acme', a.id);
    await new Promise((r) => setTimeout(r, 150));
    expect(scheduler.cancel('acme', a.id)).toBe(true);
    expect((await running).status).toBe('cancelled');
    const again = scheduler.runNow('acme', a.id);
    await scheduler.stop();
    expect((await again).status).toBe('cancelled');
    await expect(scheduler.runNow('acme', a.id)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('validates cron expressions', () => {
    expect(() => validateSchedule('*/30 * * * *')).not.toThrow();
    expect(() => validateSchedule('every day')).toThrow(/not a cron expression/);
  });

  it('syncs a watched folder soon after a file changes, and stops watching when disabled', async () => {
    const { dir: share, cleanup: removeShare } = tempDir('airdesk-share-');
    try {
      fs.writeFileSync(path.join(share, 'one.md'), '# One\n\nThe first note.');
      const ended: string[] = [];
      const watching = new SyncScheduler({
        kb,
        store,
        secrets: memorySecretStore(),
        registry: await shippedRegistry(),
        onRunEnd: (_tenant, _id, outcome) => ended.push('run' in outcome ? outcome.run.status : 'error'),
      });
      try {
        const c = await store.connectors.add('acme', {
          kind: 'folder',
          name: 'share',
          settings: { path: share, watch: true },
          schedule: null,
        });
        await watching.refresh();
        fs.writeFileSync(path.join(share, 'two.md'), '# Two\n\nThe second note.');
        const deadline = Date.now() + 15_000;
        while (ended.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(ended).toEqual(['succeeded']);
        expect((await store.knowledge.listDocuments('acme')).map((d) => d.externalId).sort()).toEqual([
          'one.md',
          'two.md',
        ]);

        await store.connectors.update('acme', c.id, { enabled: false });
        await watching.refresh();
        fs.writeFileSync(path.join(share, 'three.md'), '# Three\n\nThe third note.');
        await new Promise((r) => setTimeout(r, 3_000)); // longer than the watcher's 2 s debounce
        expect(ended).toEqual(['succeeded']);
      } finally {
        await watching.stop();
      }
    } finally {
      removeShare();
    }
  });
});
