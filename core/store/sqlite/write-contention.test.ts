import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import { tempDir } from '../../testing/temp-home.js';
import { openSqliteStore } from './sqlite-store.js';
import { tenantDbFile, tenantDir } from './tenant-folders.js';

const holdMs = 300;

/**
 * Another connection to the tenant file (as the answer worker thread has) that writes a conversation in a
 * transaction it holds for `holdMs`. A thread of its own, because better-sqlite3 is synchronous: the main
 * thread waits inside SQLite's busy handler while this one sleeps and commits.
 */
const writerScript = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.exec('BEGIN IMMEDIATE');
const now = new Date().toISOString();
db.prepare("INSERT INTO conversations (id, channel, status, visitor, created_at, updated_at) VALUES (?, 'widget', 'open', '{}', ?, ?)")
  .run('written-by-the-other-connection', now, now);
parentPort.postMessage('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
db.exec('COMMIT');
db.close();
`;

async function whileAnotherConnectionWrites<T>(file: string, work: () => Promise<T>): Promise<T> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(writerScript, { eval: true, workerData: { file, holdMs, driver } });
  const exited = once(worker, 'exit');
  try {
    const [message] = (await Promise.race([once(worker, 'message'), exited])) as unknown[];
    if (message !== 'locked') throw new Error('the other connection did not take the write lock');
    return await work();
  } finally {
    await exited;
  }
}

/**
 * Every store write that reads first must wait for another connection's write instead of failing at once: a
 * deferred transaction cannot upgrade its read to a write past a writer (SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT,
 * no busy timeout), which lost the visitor's message while the engine worker wrote to the same file.
 */
describe('store writes while another connection writes the tenant file', () => {
  const tenant = 'acme' as TenantId;
  let t: ReturnType<typeof tempDir>;
  let home: string;
  let store: Store;
  let conversationId: string;
  beforeEach(async () => {
    t = tempDir();
    home = path.join(t.dir, 'home');
    store = openSqliteStore(home);
    await store.tenants.create({ id: tenant });
    conversationId = (await store.conversations.create(tenant, { channel: 'widget' })).id;
  });
  afterEach(async () => {
    await store.close();
    t.cleanup();
  });

  /** Each one prepares what it needs, then returns the write to make while the other connection writes. */
  const writes: [string, () => Promise<() => Promise<unknown>>][] = [
    [
      'appendMessage',
      async () => () =>
        store.conversations.appendMessage(tenant, conversationId, { role: 'visitor', text: 'hello' }),
    ],
    [
      'appendEvents',
      async () => () =>
        store.desk.appendEvents(tenant, conversationId, [{ type: 'conversation.resolved', data: {} }]),
    ],
    [
      'recordHallucinations',
      async () => () =>
        store.quality.recordHallucinations(tenant, [
          {
            conversationId,
            question: 'q',
            sentence: 's',
            score: 0.5,
            unmatchedFacts: [],
            generator: 'extractive',
            docIds: [],
          },
        ]),
    ],
    [
      'answers.remember',
      async () => () =>
        store.answers.remember(tenant, {
          question: 'How do I reset my password?',
          answer: 'Open Settings.',
          origin: 'approved',
          embedding: new Float32Array([1, 0, 0]),
          embeddingModel: 'test-model',
          conversationId,
        }),
    ],
    [
      'upsertDocument',
      async () => {
        const source = await store.knowledge.createSource(tenant, { name: 'wiki', kind: 'connector' });
        return () =>
          store.knowledge.upsertDocument(tenant, {
            sourceId: source.id,
            externalId: 'a',
            title: 'A',
            contentHash: 'h1',
          });
      },
    ],
    ['updateSettings', async () => () => store.desk.updateSettings(tenant, { replyMode: 'auto' })],
    [
      'sendAgentReply',
      async () => () => store.desk.sendAgentReply(tenant, { conversationId, text: 'On it.', citations: [] }),
    ],
  ];

  for (const [name, prepare] of writes) {
    it(`${name} waits for the other writer, then succeeds`, async () => {
      const file = path.join(tenantDir(home, tenant), tenantDbFile);
      const write = await prepare();
      const started = Date.now();
      await whileAnotherConnectionWrites(file, write);
      expect(Date.now() - started).toBeGreaterThanOrEqual(holdMs - 50);
      // Both writes are there: the other connection's and ours.
      expect(await store.conversations.get(tenant, 'written-by-the-other-connection')).not.toBeNull();
    });
  }
});
