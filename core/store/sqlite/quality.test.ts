import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HallucinationDetection, Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { openSqliteStore } from './sqlite-store.js';

const detection = (sentence: string, extra: Partial<HallucinationDetection> = {}) => ({
  conversationId: null,
  question: 'How long do refunds take?',
  sentence,
  score: 0.2,
  unmatchedFacts: ['30 days'],
  generator: 'extractive',
  docIds: ['d1'],
  ...extra,
});

describe('hallucination detections (tenant database)', () => {
  let cleanup: () => void;
  let store: Store;
  beforeEach(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    store = openSqliteStore(path.join(t.dir, 'home'));
    await store.tenants.create({ id: 'acme' });
    await store.tenants.create({ id: 'globex' });
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  it('records a draft’s detections and lists them newest first, per conversation, per tenant', async () => {
    const conversation = await store.conversations.create('acme', { channel: 'widget' });
    await store.quality.recordHallucinations('acme', [detection('Refunds take 30 days.')]);
    await store.quality.recordHallucinations('acme', [
      detection('You get a gift card.', { conversationId: conversation.id, unmatchedFacts: [] }),
    ]);
    const all = await store.quality.hallucinations('acme');
    expect(all.map((d) => d.sentence)).toEqual(['You get a gift card.', 'Refunds take 30 days.']);
    expect(all[1]).toMatchObject({ unmatchedFacts: ['30 days'], docIds: ['d1'], score: 0.2 });
    const mine = await store.quality.hallucinations('acme', { conversationId: conversation.id });
    expect(mine.map((d) => d.sentence)).toEqual(['You get a gift card.']);
    expect(await store.quality.hallucinations('globex')).toEqual([]);
  });

  it('refuses a bad score or an unknown conversation and writes nothing of that batch', async () => {
    await expect(
      store.quality.recordHallucinations('acme', [detection('a'), detection('b', { score: 2 })]),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      store.quality.recordHallucinations('acme', [
        detection('a'),
        detection('b', { conversationId: 'nope' }),
      ]),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.quality.hallucinations('acme')).toEqual([]);
  });
});
