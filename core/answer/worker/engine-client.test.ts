import { getEventListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerDraft } from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import type { Store } from '../../contract/store.js';
import { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { runIngest } from '../../knowledge/pipeline/ingest-run.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tempDir } from '../../testing/temp-home.js';
import { AnswerEngine } from '../answer-engine.js';
import { createMessageClassifier } from '../escalation/index.js';
import { createGroundingChecker } from '../grounding/index.js';
import { WorkerDeskEngine } from './engine-client.js';

const docs: Record<string, string> = {
  'refunds.md': `# Refunds

## How long refunds take
Refunds are paid to the original payment method within 5 business days after the warehouse receives the return.
`,
  'password.md': `# Reset your password

## Steps
1. Open Settings and choose Security.
2. Click Reset password.
3. Enter the six-digit code we email to you.
`,
  'shipping.md': `# Shipping

## Delivery times
Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day if ordered before 2 pm.
`,
};

const questions = [
  'How do I reset my password?',
  'How long does standard shipping take?',
  'When will I get my refund?',
  'Can I pay with bitcoin?',
];

/** A draft without its timings (the only field that differs between two runs of the same question). */
const comparable = ({ timings: _timings, ...rest }: AnswerDraft) => rest;
const publicAudience = { audience: { kind: 'public' as const } };

describe('WorkerDeskEngine (engine worker over a real data folder)', () => {
  let cleanup: () => void;
  let home: string;
  let store: Store;
  let kb: KnowledgeBase;
  let local: AnswerEngine;
  let worker: WorkerDeskEngine;
  const docId = async (file: string) => {
    const all = await store.knowledge.listDocuments('acme', { limit: 100 });
    const doc = all.find((d) => d.externalId.endsWith(`${file}.md`));
    if (!doc) throw new Error(`no document for ${file}`);
    return doc.id;
  };

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const folder = path.join(t.dir, 'kb');
    fs.mkdirSync(folder);
    for (const [name, text] of Object.entries(docs)) fs.writeFileSync(path.join(folder, name), text);
    home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    kb = new KnowledgeBase({ store, embedder: null });
    await runIngest(kb, { tenant: 'acme', paths: [folder], source: 'help' });
    for (const file of ['password', 'shipping']) await kb.setPublic('acme', await docId(file), true);
    local = new AnswerEngine({
      kb,
      classifier: await createMessageClassifier({ embedder: null }),
      grounding: createGroundingChecker({ embedder: null }),
      generator: null,
    });
    worker = await WorkerDeskEngine.open({
      home,
      embedder: null,
      generator: false,
      concurrency: 1,
      maxWaiting: 2,
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await local?.close();
    await kb?.close();
    await store?.close();
    cleanup();
  });

  it('answers as the in-process engine does, for the widget audience and for an admin', async () => {
    expect(worker.generatorId).toBe(local.generatorId);
    for (const question of questions) {
      for (const extra of [publicAudience, {}]) {
        const input = { question, history: [{ role: 'visitor' as const, text: 'hello' }], ...extra };
        expect(comparable(await worker.ask('acme', input))).toEqual(
          comparable(await local.ask('acme', input)),
        );
      }
    }
  });

  it('sees a document made public, and then hidden again, by the main process after it started', async () => {
    const refunds = await docId('refunds');
    const cites = async () =>
      (
        await worker.ask('acme', { question: 'When will I get my refund?', ...publicAudience })
      ).citations.some((c) => c.kind === 'kb' && c.docId === refunds);
    expect(await cites()).toBe(false);
    await kb.setPublic('acme', refunds, true);
    expect(await cites()).toBe(true);
    await kb.setPublic('acme', refunds, false);
    expect(await cites()).toBe(false);
  });

  it('refuses a question at once with unavailable when the backlog is full, and says when it has recovered', async () => {
    const events: { shedding: boolean; refused: number }[] = [];
    const busy = await WorkerDeskEngine.open({
      home,
      embedder: null,
      generator: false,
      concurrency: 1,
      maxWaiting: 2,
      onOverload: (event) => events.push(event),
    });
    try {
      const asks = questions.map((question) => busy.ask('acme', { question, ...publicAudience }));
      const outcomes = asks.map((ask) =>
        ask.then(
          () => 'answered' as const,
          (error: unknown) => error,
        ),
      );
      // 1 running + 2 waiting; the 4th is refused before any answer comes back.
      const [first, , , fourth] = outcomes;
      const refused = await Promise.race([fourth, first?.then(() => 'first answer came first')]);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('unavailable');
      expect((refused as AppError).message).toMatch(/busy .*once the engine catches up/);
      expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['answered', 'answered', 'answered']);
      expect(events).toEqual([
        { shedding: true, refused: 0 },
        { shedding: false, refused: 1 },
      ]);
      expect(busy.stats()).toEqual({ running: 0, waiting: 0, refused: 0 });
    } finally {
      await busy.close();
    }
  }, 60_000);

  it('cancels a waiting question without running it, and a running one without breaking the worker', async () => {
    const waiting = new AbortController();
    const running = new AbortController();
    const first = worker.ask('acme', { question: questions[0] ?? '', signal: running.signal });
    const second = worker.ask('acme', { question: questions[1] ?? '', signal: waiting.signal });
    expect(worker.stats()).toMatchObject({ running: 1, waiting: 1 });
    waiting.abort(new Error('visitor left'));
    running.abort(new Error('server stopping'));
    await expect(second).rejects.toThrow('visitor left');
    expect(worker.stats()).toMatchObject({ waiting: 0 });
    // The worker got the cancel: the question fails with its reason, or comes back incomplete, never as if
    // nothing had happened.
    const settled = await first.then(
      (draft) => draft.complete,
      (error: unknown) => error,
    );
    if (settled instanceof Error) expect(settled.message).toBe('the question was cancelled');
    else expect(settled).toBe(false);
    const after = await worker.ask('acme', { question: questions[0] ?? '', ...publicAudience });
    expect(after.citations.length).toBeGreaterThan(0);
  });

  it('leaves no listener on a long-lived signal once its questions have settled', async () => {
    const server = new AbortController();
    const ask = (question: string) => worker.ask('acme', { question, signal: server.signal });
    for (const question of [...questions, ...questions, ...questions]) await ask(question);
    // One running, two waiting (then sent), one refused at once: one listener for them all.
    const batch = questions.map(ask);
    expect(getEventListeners(server.signal, 'abort')).toHaveLength(1);
    await Promise.allSettled(batch);
    expect(getEventListeners(server.signal, 'abort')).toHaveLength(0);
  });

  it.runIf(process.platform === 'linux')('runs its thread below the main thread, so HTTP goes first', () => {
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (after the command in parentheses).
    const nice = (tid: string) =>
      Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    const main = nice(String(process.pid));
    const threads = fs.readdirSync('/proc/self/task').map(nice);
    expect(threads).toContain(Math.min(19, main + 10));
  });

  it('fails every later question with unavailable once closed', async () => {
    const closing = await WorkerDeskEngine.open({ home, embedder: null, generator: false });
    await closing.close();
    await expect(closing.ask('acme', { question: 'hi' })).rejects.toMatchObject({ code: 'unavailable' });
  }, 60_000);
});
