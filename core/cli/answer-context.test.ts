import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { tempDir } from '../testing/temp-home.js';
import { openAnswerEngine, openDeskEngine } from './answer-context.js';
import { createOutput } from './output.js';

/** Answer memory needs the default embedder (build output); without it, skipped. */
const present =
  !process.env.AIRDESK_MODELS_DIR &&
  fs.existsSync(path.join(packageRoot, 'models', 'all-minilm-l6-v2', 'manifest.json'));
if (!present) console.warn('SKIPPED desk engine test: all-minilm-l6-v2 not in models/');

describe.skipIf(!present)('the desk engine `airdesk serve` builds', () => {
  const closing: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  it('drafts in the engine worker and keeps the replies agents approve or write (answer memory)', async () => {
    const t = tempDir();
    closing.push(t.cleanup);
    const quiet = new PassThrough().resume();
    const answers = await openAnswerEngine(t.dir, createOutput(false, quiet, quiet));
    closing.push(() => answers.close());
    await answers.kb.store.tenants.create({ id: 'acme' });
    const desk = await openDeskEngine(t.dir, answers, pino({ level: 'silent' }), () => {});
    closing.push(() => desk.close());
    expect(desk.worker).not.toBeNull();
    expect(typeof desk.engine.remember).toBe('function');
    const answer = 'Yes: invoices are accepted for orders over 500 euros.';
    await desk.engine.remember?.('acme', {
      question: 'Can I pay by invoice?',
      answer,
      origin: 'agent_written',
    });
    const [match] = await answers.engine.recall('acme', 'Can I pay by invoice?');
    expect(match?.answer.answer).toBe(answer);
    // The worker reads what the main engine wrote: an agent asking the same question gets the kept reply.
    expect((await desk.engine.ask('acme', { question: 'Can I pay by invoice?' })).answer).toContain(
      'over 500 euros',
    );
  }, 60_000);

  it('logs a crash of the engine worker as an error and drafts the waiting messages once it is back', async () => {
    const t = tempDir();
    closing.push(t.cleanup);
    const quiet = new PassThrough().resume();
    const answers = await openAnswerEngine(t.dir, createOutput(false, quiet, quiet));
    closing.push(() => answers.close());
    const lines: { level: number; msg: string }[] = [];
    const log = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    let caughtUp = 0;
    const desk = await openDeskEngine(t.dir, answers, pino({ level: 'info' }, log), () => (caughtUp += 1));
    closing.push(() => desk.close());
    await desk.worker?.terminateThread();
    await expect.poll(() => caughtUp, { timeout: 30_000 }).toBe(1);
    const crash = lines.find((l) => l.msg.startsWith('the engine worker crashed'));
    expect(crash?.level).toBe(50); // pino's error level
    expect(crash?.msg).toMatch(/restarting it/);
  }, 60_000);
});
