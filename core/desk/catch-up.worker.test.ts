import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerDeskEngine } from '../answer/worker/engine-client.js';
import type { Store } from '../contract/store.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { runIngest } from '../knowledge/pipeline/ingest-run.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { DeskService, type CatchUpReport } from './desk-service.js';

const questions = [
  'How do I reset my password?',
  'How long does standard shipping take?',
  'Where do I find the security settings?',
  'When does express shipping arrive?',
];

describe('desk catch-up with the engine worker (real backlog limit and recovery event)', () => {
  let cleanup: () => void;
  let home: string;
  let store: Store;
  let kb: KnowledgeBase;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const folder = path.join(t.dir, 'kb');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'help.md'),
      '# Help\n\n## Password\nOpen Settings and choose Security, then click Reset password.\n\n' +
        '## Shipping\nStandard shipping takes 3 to 5 business days; express arrives the next business day.\n',
    );
    home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    kb = new KnowledgeBase({ store, embedder: null });
    await runIngest(kb, { tenant: 'acme', paths: [folder], source: 'help' });
    for (const doc of await store.knowledge.listDocuments('acme', { limit: 10 }))
      await kb.setPublic('acme', doc.id, true);
  }, 60_000);
  afterAll(async () => {
    await kb?.close();
    await store?.close();
    cleanup();
  });

  it('drafts every message of a flood once, those refused included, after the engine recovers', async () => {
    const sweeps: Promise<CatchUpReport>[] = [];
    let shed = 0;
    let recovered = () => {};
    // As `airdesk serve` wires it: the recovery event starts a catch-up sweep.
    const engine = await WorkerDeskEngine.open({
      home,
      embedder: null,
      generator: false,
      concurrency: 1,
      maxWaiting: 2,
      onOverload: ({ shedding }) => {
        if (shedding) shed += 1;
        else recovered();
      },
    });
    const desk = new DeskService({ store, engine });
    recovered = () => void sweeps.push(desk.catchUp());
    try {
      const posted = await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const conversation = await desk.startConversation('acme');
          const question = questions[i % questions.length] ?? '';
          return desk.postVisitorMessage('acme', conversation.id, question);
        }),
      );
      await Promise.all(posted.map((p) => p.done));
      expect(shed).toBeGreaterThan(0); // some were refused: 1 running + 2 waiting at most
      // Sweeps can start further sweeps (their own refusals end in a recovery too): wait until none is left.
      for (let seen = 0; seen < sweeps.length; seen = sweeps.length) await Promise.all(sweeps);
      await desk.idle();
      const drafts = await store.desk.drafts('acme', { limit: 1000 });
      expect(drafts.map((d) => d.messageId).sort()).toEqual(posted.map((p) => p.message.id).sort());
      expect(await store.desk.undraftedVisitorMessages('acme', { since: '1970', limit: 100 })).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
