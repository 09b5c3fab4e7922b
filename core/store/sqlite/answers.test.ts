import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnswerMemoryStore, Store } from '../../contract/store.js';
import { tempDir } from '../../testing/temp-home.js';
import { questionKey } from './answers.js';
import { openDatabase } from './open-database.js';
import { openSqliteStore } from './sqlite-store.js';
import { tenantMigrations } from './tenant-migrations.js';
import { seededRandom } from '../../seeded-random.js';

const vec = (...xs: number[]) => new Float32Array(xs);

/** Deterministic unit vectors (mulberry32), so the timing run is the same every time. */
function randomUnitVectors(count: number, dims: number, seed = 42): Float32Array[] {
  const random = seededRandom(seed);
  const next = () => random() - 0.5;
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: dims }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

describe('answer memory (SQLite + sqlite-vec)', () => {
  let home: string;
  let cleanup: () => void;
  let store: Store | undefined;
  let answers: AnswerMemoryStore;
  const model = 'all-MiniLM-L6-v2';

  const tenantFile = (tenant: string) => path.join(home, 'tenants', tenant, 'tenant.db');
  /** Reads the tenant file directly, beside the store's open connection, to see what is really stored. */
  const rawCount = (tenant: string, table: string) => {
    const db = new Database(tenantFile(tenant), { readonly: true });
    try {
      return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    ({ dir: home, cleanup } = tempDir());
    store = openSqliteStore(home);
    answers = store.answers;
    await store.tenants.create({ id: 'acme' });
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    cleanup();
  });

  const remember = (
    question: string,
    embedding: Float32Array,
    extra: Partial<Parameters<AnswerMemoryStore['remember']>[1]> = {},
    tenant = 'acme',
  ) =>
    answers.remember(tenant, {
      question,
      answer: `answer to: ${question}`,
      origin: 'approved',
      embedding,
      embeddingModel: model,
      ...extra,
    });

  it('returns the closest questions best first, with cosine similarity, limited and thresholded', async () => {
    const reset = await remember('How do I reset my password?', vec(1, 0, 0));
    await remember('Where is my card?', vec(0.6, 0.8, 0));
    await remember('Opening hours', vec(0, 0, 1));
    await remember('Why was I charged twice?', vec(-1, 0, 0));
    expect(await answers.count('acme')).toBe(4);
    expect(await answers.get('acme', reset.id)).toEqual(reset);
    expect(reset).toMatchObject({ origin: 'approved', conversationId: null, embeddingModel: model });

    const all = await answers.similar('acme', vec(2, 0, 0), { embeddingModel: model, limit: 10 });
    expect(all.map((m) => m.answer.question)).toEqual([
      'How do I reset my password?',
      'Where is my card?',
      'Opening hours',
      'Why was I charged twice?',
    ]);
    expect(all.map((m) => m.similarity)).toEqual([
      expect.closeTo(1, 6),
      expect.closeTo(0.6, 6),
      expect.closeTo(0, 6),
      expect.closeTo(-1, 6),
    ]);
    expect(all[0]?.answer).toEqual(reset);

    const top = await answers.similar('acme', vec(1, 0, 0), { embeddingModel: model, limit: 2 });
    expect(top).toHaveLength(2);
    const close = await answers.similar('acme', vec(1, 0, 0), {
      embeddingModel: model,
      limit: 10,
      minSimilarity: 0.5,
    });
    expect(close.map((m) => m.answer.question)).toEqual(['How do I reset my password?', 'Where is my card?']);
  });

  it('replaces the answer and vector of a conversation when an agent corrects it', async () => {
    const conv = await store!.conversations.create('acme', { channel: 'widget' });
    const first = await remember('Can I raise my card limit?', vec(1, 0, 0), {
      conversationId: conv.id,
      answer: 'No.',
      origin: 'approved',
    });
    const corrected = await remember('Can I raise my card limit online?', vec(0, 1, 0), {
      conversationId: conv.id,
      answer: 'Yes, under Cards > Limits.',
      origin: 'agent_written',
    });
    expect(corrected).toMatchObject({
      id: first.id,
      createdAt: first.createdAt,
      question: 'Can I raise my card limit online?',
      answer: 'Yes, under Cards > Limits.',
      origin: 'agent_written',
      conversationId: conv.id,
    });
    expect(corrected.updatedAt >= first.updatedAt).toBe(true);
    expect(await answers.count('acme')).toBe(1);
    expect(rawCount('acme', 'answer_memory_vectors')).toBe(1);
    const [match] = await answers.similar('acme', vec(0, 1, 0), { embeddingModel: model, limit: 5 });
    expect(match?.similarity).toBeCloseTo(1, 6);
    expect(match?.answer.answer).toBe('Yes, under Cards > Limits.');
    const old = await answers.similar('acme', vec(1, 0, 0), {
      embeddingModel: model,
      limit: 5,
      minSimilarity: 0.5,
    });
    expect(old).toEqual([]);
  });

  it('without a conversation, the same normalised question replaces and another question adds', async () => {
    expect(questionKey('  How do I   RESET my password?? ')).toBe('how do i reset my password');
    const a = await remember('How do I reset my password?', vec(1, 0));
    const b = await remember('how do i  reset my PASSWORD', vec(0, 1), { answer: 'Use the reset link.' });
    expect(b.id).toBe(a.id);
    expect(b.answer).toBe('Use the reset link.');
    await remember('How do I reset my PIN?', vec(1, 1));
    expect(await answers.count('acme')).toBe(2);
    // An entry with a conversation is keyed by the conversation, not by its question.
    const conv = await store!.conversations.create('acme', { channel: 'widget' });
    await remember('How do I reset my password?', vec(1, 0), { conversationId: conv.id });
    expect(await answers.count('acme')).toBe(3);
  });

  it('compares only entries of the same embedding model', async () => {
    await remember('Where is my card?', vec(1, 0, 0));
    await remember('Where is my parcel?', vec(1, 0, 0, 0), { embeddingModel: 'bge-small' });
    const a = await answers.similar('acme', vec(1, 0, 0), { embeddingModel: model, limit: 10 });
    expect(a.map((m) => [m.answer.question, m.answer.embeddingModel])).toEqual([
      ['Where is my card?', model],
    ]);
    const b = await answers.similar('acme', vec(1, 0, 0, 0), { embeddingModel: 'bge-small', limit: 10 });
    expect(b.map((m) => m.answer.question)).toEqual(['Where is my parcel?']);
    expect(await answers.similar('acme', vec(1, 0), { embeddingModel: 'unknown', limit: 10 })).toEqual([]);
    // Same dimensions, identical vector, other model: still never compared.
    await remember('Opening hours', vec(1, 0, 0), { embeddingModel: 'e5-small' });
    const again = await answers.similar('acme', vec(1, 0, 0), { embeddingModel: model, limit: 10 });
    expect(again.map((m) => m.answer.question)).toEqual(['Where is my card?']);
    // Re-remembering a question under a new model moves it to that model.
    await remember('Where is my card?', vec(0, 1, 0, 0), { embeddingModel: 'bge-small' });
    expect(await answers.similar('acme', vec(1, 0, 0), { embeddingModel: model, limit: 10 })).toEqual([]);
  });

  it('refuses a vector whose length does not match its model, and writes nothing', async () => {
    await remember('Where is my card?', vec(1, 0, 0));
    await expect(remember('Opening hours', vec(1, 0))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/3 dimensions .* has 2/) as unknown,
    });
    await expect(
      answers.similar('acme', vec(1, 0), { embeddingModel: model, limit: 3 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await answers.count('acme')).toBe(1);
  });

  it('rejects bad vectors and options with invalid_input and writes nothing', async () => {
    const conv = await store!.conversations.create('acme', { channel: 'widget' });
    const kept = await remember('Where is my card?', vec(1, 0), { conversationId: conv.id });
    const bad: [Float32Array, RegExp][] = [
      [vec(), /0 dimensions/],
      [vec(1, Number.NaN), /non-finite value \(NaN\) at dimension 1/],
      [vec(Number.POSITIVE_INFINITY, 0), /non-finite/],
      [vec(0, 0), /all zeros/],
      [new Float32Array(8193).fill(1), /8193 dimensions/],
      [[1, 0] as unknown as Float32Array, /must be a Float32Array/],
    ];
    for (const [embedding, message] of bad) {
      // A corrected answer with a bad vector must leave the earlier answer exactly as it was.
      await expect(
        remember('Where is my card?', embedding, { conversationId: conv.id, answer: 'changed' }),
      ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) as unknown });
      await expect(remember('A new question', embedding)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(
        answers.similar('acme', embedding, { embeddingModel: model, limit: 3 }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    }
    for (const options of [
      { embeddingModel: model, limit: 0 },
      { embeddingModel: model, limit: 2.5 },
      { embeddingModel: model, limit: 3, minSimilarity: 1.5 },
      { embeddingModel: model, limit: 3, minSimilarity: Number.NaN },
      { embeddingModel: '', limit: 3 },
    ]) {
      await expect(answers.similar('acme', vec(1, 0), options)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    await expect(remember(' ', vec(1, 0))).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(remember('Q', vec(1, 0), { answer: '' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      remember('Q', vec(1, 0), { origin: 'guessed' as unknown as 'approved' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(remember('Q', vec(1, 0), { conversationId: 'no-such-conversation' })).rejects.toMatchObject({
      code: 'not_found',
    });

    expect(await answers.get('acme', kept.id)).toEqual(kept);
    expect(await answers.count('acme')).toBe(1);
    expect(rawCount('acme', 'answer_memory_vectors')).toBe(1);
    const [match] = await answers.similar('acme', vec(1, 0), { embeddingModel: model, limit: 1 });
    expect(match?.similarity).toBeCloseTo(1, 6);
  });

  it('forgets an entry together with its vector', async () => {
    const a = await remember('Where is my card?', vec(1, 0));
    const b = await remember('Opening hours', vec(0, 1));
    expect(await answers.forget('acme', a.id)).toBe(true);
    expect(await answers.forget('acme', a.id)).toBe(false);
    expect(await answers.get('acme', a.id)).toBeNull();
    expect(await answers.count('acme')).toBe(1);
    expect(rawCount('acme', 'answer_memory_vectors')).toBe(1);
    const left = await answers.similar('acme', vec(1, 0), { embeddingModel: model, limit: 5 });
    expect(left.map((m) => m.answer.id)).toEqual([b.id]);
  });

  it("never returns or touches one tenant's memory from another, even by id", async () => {
    await store!.tenants.create({ id: 'beta' });
    const conv = await store!.conversations.create('acme', { channel: 'widget' });
    const secret = await remember('What is the vault code?', vec(1, 0), { conversationId: conv.id });

    expect(await answers.get('beta', secret.id)).toBeNull();
    expect(await answers.similar('beta', vec(1, 0), { embeddingModel: model, limit: 10 })).toEqual([]);
    expect(await answers.count('beta')).toBe(0);
    expect(await answers.forget('beta', secret.id)).toBe(false);
    await expect(
      remember('Injected', vec(1, 0), { conversationId: conv.id, answer: 'injected' }, 'beta'),
    ).rejects.toMatchObject({ code: 'not_found' });
    await remember('What is the vault code?', vec(1, 0), {}, 'beta');

    expect(await answers.get('acme', secret.id)).toEqual(secret);
    const own = await answers.similar('acme', vec(1, 0), { embeddingModel: model, limit: 10 });
    expect(own.map((m) => m.answer.id)).toEqual([secret.id]);
    expect(rawCount('beta', 'answer_memory')).toBe(1);
    expect(rawCount('acme', 'answer_memory')).toBe(1);
  });

  it('migrates a tenant.db from the previous schema version and keeps its data', async () => {
    await store!.close();
    store = undefined;
    // Rebuild acme's file as the previous release left it: schema version 1, with a conversation in it.
    const file = tenantFile('acme');
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const previous = tenantMigrations.filter((m) => m.version < 2);
    const old = openDatabase(file, 'tenant', previous);
    old
      .prepare(
        "INSERT INTO conversations (id, channel, status, created_at, updated_at) VALUES ('c1', 'widget', 'resolved', 't', 't')",
      )
      .run();
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    store = openSqliteStore(home);
    answers = store.answers;
    expect((await store.conversations.get('acme', 'c1'))?.status).toBe('resolved');
    expect(await answers.count('acme')).toBe(0);
    const remembered = await remember('Where is my card?', vec(1, 0), { conversationId: 'c1' });
    expect(remembered.conversationId).toBe('c1');
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(tenantMigrations.at(-1)?.version);
    check.close();
  });

  it('answers similar() over 2,000 entries of 384 dimensions (timing printed, not asserted)', async () => {
    const dims = 384;
    const vectors = randomUnitVectors(2000, dims);
    const started = performance.now();
    for (const [i, embedding] of vectors.entries()) {
      await remember(`question number ${i}`, embedding);
    }
    const rememberMs = performance.now() - started;
    const queries = randomUnitVectors(50, dims, 7);
    await answers.similar('acme', queries[0]!, { embeddingModel: model, limit: 5 }); // warm the page cache
    const times: number[] = [];
    for (const query of queries) {
      const t0 = performance.now();
      const matches = await answers.similar('acme', query, { embeddingModel: model, limit: 5 });
      times.push(performance.now() - t0);
      expect(matches).toHaveLength(5);
    }
    // The entry itself is its own best match.
    const [self] = await answers.similar('acme', vectors[1234]!, { embeddingModel: model, limit: 1 });
    expect(self?.answer.question).toBe('question number 1234');
    times.sort((x, y) => x - y);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
    console.log(
      `answer memory, 2000 x ${dims}d: remember ${(rememberMs / 2000).toFixed(3)} ms/entry; ` +
        `similar(limit 5) p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms over ${times.length} queries`,
    );
  });
});
