import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { runIngest } from '../../knowledge/pipeline/ingest-run.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tempDir } from '../../testing/temp-home.js';
import { WorkerDeskEngine, type WorkerDeskEngineOptions } from './engine-client.js';

const publicQuestion = { question: 'How do I reset my password?', audience: { kind: 'public' as const } };
type Crash = { error: Error; restarting: boolean; crashes: number };

describe('WorkerDeskEngine over the life of a server (first upload, crashes)', () => {
  let cleanup: () => void;
  let folder: string;
  let home: string;
  let store: Store;
  let kb: KnowledgeBase;
  const engines: WorkerDeskEngine[] = [];
  const open = async (options: Partial<WorkerDeskEngineOptions> = {}) => {
    const engine = await WorkerDeskEngine.open({
      home,
      embedder: null,
      generator: false,
      restartBackoffMs: 50,
      ...options,
    });
    engines.push(engine);
    return engine;
  };
  const cited = async (engine: WorkerDeskEngine) =>
    (await engine.ask('acme', publicQuestion)).citations.some((c) => c.kind === 'kb');

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    folder = path.join(t.dir, 'kb');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'password.md'),
      '# Reset your password\n\n## Steps\nOpen Settings and choose Security, then click Reset password.\n',
    );
    home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    kb = new KnowledgeBase({ store, embedder: null });
  }, 60_000);
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });
  afterAll(async () => {
    await kb?.close();
    await store?.close();
    cleanup();
  });

  it("answers from a tenant's first upload made after the worker first searched it, and after a re-index", async () => {
    const engine = await open();
    expect(await cited(engine)).toBe(false); // the tenant has no index yet
    await runIngest(kb, { tenant: 'acme', paths: [folder], source: 'help' });
    for (const doc of await store.knowledge.listDocuments('acme', { limit: 10 }))
      await kb.setPublic('acme', doc.id, true);
    expect(await cited(engine)).toBe(true);
    // ingest --reindex: the main process deletes the index folder and builds it again.
    await kb.resetIndex('acme');
    expect(await cited(engine)).toBe(false);
    await runIngest(kb, { tenant: 'acme', paths: [folder], source: 'help' });
    expect(await cited(engine)).toBe(true);
  }, 60_000);

  it('reports a crashed worker and restarts it; questions asked meanwhile are answered', async () => {
    const crashes: Crash[] = [];
    let restarted = () => {};
    const back = new Promise<void>((resolve) => (restarted = resolve));
    const engine = await open({ onCrash: (event) => crashes.push(event), onRestarted: () => restarted() });
    expect(await cited(engine)).toBe(true);
    await engine.terminateThread();
    await expect.poll(() => crashes.length).toBe(1);
    expect(crashes[0]).toMatchObject({ restarting: true, crashes: 1 });
    expect(crashes[0]?.error.message).toMatch(/the engine worker stopped/);
    const meanwhile = cited(engine); // waits for the new thread
    await back;
    expect(await meanwhile).toBe(true);
    expect(await cited(engine)).toBe(true);
  }, 60_000);

  it('fails a question the crash cut off with unavailable instead of leaving it hanging', async () => {
    const engine = await open({ concurrency: 1 });
    const running = engine.ask('acme', publicQuestion);
    void engine.terminateThread();
    const outcome = await running.then(
      () => 'answered',
      (error: unknown) => error,
    );
    // The question may have been answered before the thread ended; it must not hang.
    if (outcome !== 'answered') expect(outcome).toMatchObject({ code: 'unavailable' });
  }, 60_000);

  it('stays down after too many crashes within a minute, and says so', async () => {
    const crashes: Crash[] = [];
    let restarted = () => {};
    const back = new Promise<void>((resolve) => (restarted = resolve));
    const engine = await open({
      maxRestartsPerMinute: 1,
      onCrash: (event) => crashes.push(event),
      onRestarted: () => restarted(),
    });
    await engine.terminateThread();
    await back;
    await engine.terminateThread();
    await expect.poll(() => crashes.length).toBe(2);
    expect(crashes.map((c) => c.restarting)).toEqual([true, false]);
    const refused = await engine.ask('acme', publicQuestion).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'unavailable' });
    expect((refused as Error).message).toMatch(/stopped 2 times within a minute and is not restarted again/);
  }, 60_000);

  it('refuses a question that was running at a crash instead of letting it crash the worker again', async () => {
    const crashes: Crash[] = [];
    let restarts = 0;
    const engine = await open({
      concurrency: 1,
      onCrash: (event) => crashes.push(event),
      onRestarted: () => restarts++,
    });
    const conversation = async () => (await store.conversations.create('acme', { channel: 'widget' })).id;
    // The thread ends while the question is running in it, as a question that kills the worker would.
    let poison = { ...publicQuestion, conversationId: await conversation() };
    for (let attempt = 1; ; attempt++) {
      const running = engine.ask('acme', poison);
      void engine.terminateThread();
      const outcome = await running.then(
        () => 'answered',
        (error: unknown) => error,
      );
      await expect.poll(() => restarts, { timeout: 20_000 }).toBe(attempt);
      if (outcome !== 'answered') {
        expect(outcome).toMatchObject({ code: 'unavailable' });
        break;
      }
      if (attempt === 3) throw new Error('the question was answered before the thread ended, three times');
      poison = { ...publicQuestion, conversationId: await conversation() };
    }
    const crashesBefore = crashes.length;
    // The catch-up re-asks it: refused at once, with a code the desk logs at error level.
    const again = await engine.ask('acme', poison).catch((error: unknown) => error);
    expect(again).toMatchObject({ code: 'invalid_input' });
    expect((again as Error).message).toMatch(/crashed, so it is not drafted again for 24 hours/);
    expect(crashes.length).toBe(crashesBefore);
    // The same words in another conversation, and every other question, are still drafted.
    expect(await cited(engine)).toBe(true);
    const elsewhere = await engine.ask('acme', { ...poison, conversationId: await conversation() });
    expect(elsewhere.citations.some((c) => c.kind === 'kb')).toBe(true);
  }, 60_000);

  it('waits longer before each restart within a minute (1×, 2×, 4× the backoff)', async () => {
    const crashedAt: number[] = [];
    const restartedAt: number[] = [];
    const engine = await open({
      restartBackoffMs: 400,
      onCrash: () => crashedAt.push(Date.now()),
      onRestarted: () => restartedAt.push(Date.now()),
    });
    await engine.terminateThread();
    await expect.poll(() => restartedAt.length, { timeout: 20_000 }).toBe(1);
    await engine.terminateThread();
    await expect.poll(() => restartedAt.length, { timeout: 20_000 }).toBe(2);
    expect(restartedAt[0]! - crashedAt[0]!).toBeGreaterThanOrEqual(400);
    expect(restartedAt[1]! - crashedAt[1]!).toBeGreaterThanOrEqual(800);
  }, 60_000);
});
