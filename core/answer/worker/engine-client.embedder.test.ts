import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerDraft } from '../../contract/answer.js';
import type { Embedder } from '../../contract/retrieval.js';
import type { Store } from '../../contract/store.js';
import { loadEmbedder } from '../../knowledge/embedding/registry.js';
import { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { runIngest } from '../../knowledge/pipeline/ingest-run.js';
import { packageRoot } from '../../package-root.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tempDir } from '../../testing/temp-home.js';
import { AnswerEngine } from '../answer-engine.js';
import { createMessageClassifier } from '../escalation/index.js';
import { createGroundingChecker } from '../grounding/index.js';
import { WorkerDeskEngine } from './engine-client.js';

/**
 * The engine worker with the real default embedder lent by the main process (hybrid search, the classifier's
 * and grounding's vectors all go through the bridge). The model is build output: without it, skipped.
 */
const modelsDir = process.env.AIRDESK_MODELS_DIR ?? path.join(packageRoot, 'models');
const present = fs.existsSync(path.join(modelsDir, 'all-minilm-l6-v2', 'manifest.json'));
if (!present) console.warn(`SKIPPED engine worker embedder test: all-minilm-l6-v2 not in ${modelsDir}`);

const comparable = ({ timings: _timings, ...rest }: AnswerDraft) => rest;

describe.skipIf(!present)('WorkerDeskEngine with the main process embedder', () => {
  let cleanup: () => void;
  let store: Store;
  let embedder: Embedder;
  let kb: KnowledgeBase;
  let local: AnswerEngine;
  let worker: WorkerDeskEngine;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const folder = path.join(t.dir, 'kb');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'refunds.md'),
      '# Refunds\n\n## How long refunds take\nRefunds are paid to the original payment method within 5 business days.\n',
    );
    fs.writeFileSync(
      path.join(folder, 'password.md'),
      '# Reset your password\n\n## Steps\n1. Open Settings and choose Security.\n2. Click Reset password.\n',
    );
    const home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: 'acme' });
    embedder = await loadEmbedder('all-minilm-l6-v2', [modelsDir]);
    kb = new KnowledgeBase({ store, embedder });
    await runIngest(kb, { tenant: 'acme', paths: [folder], source: 'help' });
    const cacheDir = path.join(home, 'cache');
    local = new AnswerEngine({
      kb,
      classifier: await createMessageClassifier({ embedder, cacheDir }),
      grounding: createGroundingChecker({ embedder }),
      generator: null,
    });
    worker = await WorkerDeskEngine.open({ home, embedder, generator: false, classifierCacheDir: cacheDir });
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await local?.close();
    await kb?.close();
    await embedder?.close();
    await store?.close();
    cleanup();
  });

  it('answers as the in-process engine does, using the lent embedder', async () => {
    for (const question of [
      'I forgot my password, what now?',
      'money back how long',
      'What is your CEO called?',
    ]) {
      const remote = await worker.ask('acme', { question });
      expect(comparable(remote)).toEqual(comparable(await local.ask('acme', { question })));
    }
    // The embedder stayed usable in the main process after vectors crossed to the worker.
    const [vector] = await embedder.embed(['still here'], 'query');
    expect(vector?.length).toBe(embedder.dims);
  }, 60_000);
});
