import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import { defaultEmbedderName, defaultModelDirs, loadEmbedder } from '../knowledge/embedding/registry.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { runIngest } from '../knowledge/pipeline/ingest-run.js';
import { packageRoot } from '../package-root.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { AnswerEngine } from './answer-engine.js';
import { createMessageClassifier } from './escalation/index.js';
import { createGroundingChecker } from './grounding/index.js';

/** Answer memory needs question embeddings, so this runs with the real MiniLM model the set-up installs. */
const modelReady = fs.existsSync(path.join(packageRoot, 'models', `${defaultEmbedderName}`, 'model.onnx'));
if (!modelReady) console.warn(`answer memory tests skipped: models/${defaultEmbedderName} is not set up`);

describe.runIf(modelReady)('answer memory in the engine (MiniLM, real tenant database)', () => {
  let cleanup: () => void;
  let store: Store;
  let embedder: Embedder;
  let kb: KnowledgeBase;
  let engine: AnswerEngine;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const folder = path.join(t.dir, 'kb');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'delivery.md'),
      '# Delivery\n\n## Changing the address\nThe delivery address can be changed in Orders > Details until the parcel ships.\n',
    );
    store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
    embedder = await loadEmbedder(defaultEmbedderName, defaultModelDirs(path.join(t.dir, 'home')));
    kb = new KnowledgeBase({ store, embedder });
    await runIngest(kb, { tenant: 'acme', paths: [folder], source: 'help' });
    engine = new AnswerEngine({
      kb,
      classifier: await createMessageClassifier({ embedder }),
      grounding: createGroundingChecker({ embedder }),
      generator: null,
    });
  }, 60_000);
  afterAll(async () => {
    await kb.close();
    await store.close();
    cleanup();
  });

  it('reuses an approved answer for the same question, cited as answered before, over a composed one', async () => {
    const conversation = await store.conversations.create('acme', { channel: 'widget' });
    await engine.remember('acme', {
      question: 'Can I still change my delivery address after ordering?',
      answer: 'Yes: open Orders > Details and edit the address; it works until the parcel ships.',
      origin: 'agent_written',
      conversationId: conversation.id,
    });
    const draft = await engine.ask('acme', {
      question: 'Can I still change my delivery address after ordering?',
    });
    expect(draft.answer).toMatch(/^Yes: open Orders > Details/);
    expect(draft.citations[0]).toMatchObject({
      kind: 'answered_before',
      quote: expect.stringMatching(/Orders/) as string,
    });
  });

  it('offers close questions as similar resolved conversations; a correction replaces the answer', async () => {
    const conversation = await store.conversations.create('acme', { channel: 'widget' });
    const first = await engine.remember('acme', {
      question: 'How do I return a damaged blender?',
      answer: 'Send it back with the prepaid label.',
      origin: 'approved',
      conversationId: conversation.id,
    });
    const corrected = await engine.remember('acme', {
      question: 'How do I return a damaged blender?',
      answer: 'Keep it: we refund damaged small appliances without a return.',
      origin: 'agent_written',
      conversationId: conversation.id,
    });
    expect(corrected.id).toBe(first.id);
    const similar = await engine.recall('acme', 'my blender arrived broken, how can I send it back', 5, 0.5);
    const hit = similar.find((m) => m.answer.id === first.id);
    expect(hit?.answer.answer).toMatch(/^Keep it/);
    expect(hit?.answer.origin).toBe('agent_written');
    expect(similar.every((m, i) => i === 0 || m.similarity <= similar[i - 1]!.similarity)).toBe(true);
  });

  it('keeps each tenant’s memory to itself', async () => {
    expect(await engine.recall('globex', 'How do I return a damaged blender?', 5, 0)).toEqual([]);
    const draft = await engine.ask('globex', {
      question: 'Can I still change my delivery address after ordering?',
    });
    expect(draft.citations.some((c) => c.kind === 'answered_before')).toBe(false);
  });
});
