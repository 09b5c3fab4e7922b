import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurn } from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import { tempDir } from '../../testing/temp-home.js';
import { type LlamaGenerator, loadLlamaGenerator } from './llama-generator.js';
import { writeTinyModel } from './tiny-model.testing.js';

// A random model at temperature 0 may hold its whole output back (it looks like the start of a stop trigger):
// this prompt is one where the tiny model streams visible text.
const messages: ChatTurn[] = [{ role: 'user', content: 'How do I reset my password?' }];

/** Blocks the thread for `ms`: a slow consumer, so a time limit expires between tokens. */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function loadError(modelPath: string): Promise<AppError> {
  const error: unknown = await loadLlamaGenerator({ modelPath, threads: 1 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('llama generator (tiny random llama from scripts/make-tiny-gguf.ts)', () => {
  const home = tempDir();
  const file = path.join(home.dir, 'tiny', 'model.gguf');
  let generator: LlamaGenerator;

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(file));
    writeTinyModel(file);
    generator = await loadLlamaGenerator({ modelPath: file, threads: 1, contextTokens: 512 });
  });
  afterAll(async () => {
    await generator?.close();
    home.cleanup();
  });

  it('identifies itself and uses the GGUF chat template', () => {
    expect(generator.id).toBe('llama:tiny');
    expect(generator.kind).toBe('llama');
    expect(generator.contextTokens).toBe(512);
    expect(generator.chatFormat).not.toBe('General');
  });

  it('counts tokens with the model tokenizer', () => {
    expect(generator.countTokens('')).toBe(0);
    const one = generator.countTokens('reset');
    expect(one).toBeGreaterThan(0);
    expect(generator.countTokens('reset reset reset')).toBeGreaterThan(2 * one);
  });

  it('streams tokens, and the streamed pieces are the text', async () => {
    const pieces: string[] = [];
    const result = await generator.generate({ messages, maxTokens: 12, onToken: (t) => pieces.push(t) });
    expect(['stop', 'length']).toContain(result.finish);
    expect(result.tokens).toBeGreaterThan(0);
    expect(result.tokens).toBeLessThanOrEqual(12);
    expect(pieces.length).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(result.text);
    expect(result.firstTokenMs).not.toBeNull();
    expect(result.firstTokenMs ?? Infinity).toBeLessThanOrEqual(result.totalMs);
  });

  it('is deterministic at temperature 0', async () => {
    const a = await generator.generate({ messages, maxTokens: 10, temperature: 0 });
    const b = await generator.generate({ messages, maxTokens: 10, temperature: 0 });
    expect(b.text).toBe(a.text);
  });

  it('follows a JSON schema: the output parses and matches it', async () => {
    const schema = {
      type: 'object',
      properties: {
        category: { enum: ['billing', 'login', 'other'] },
        urgent: { type: 'boolean' },
      },
      required: ['category', 'urgent'],
    };
    const result = await generator.generate({ messages, maxTokens: 60, jsonSchema: schema });
    expect(result.finish).toBe('stop');
    const parsed = JSON.parse(result.text) as { category: string; urgent: unknown };
    expect(['billing', 'login', 'other']).toContain(parsed.category);
    expect(typeof parsed.urgent).toBe('boolean');
  });

  it('stops on abort and keeps the text produced before it', async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const result = await generator.generate({
      messages,
      maxTokens: 150,
      signal: controller.signal,
      onToken: (t) => {
        pieces.push(t);
        if (pieces.length === 3) controller.abort();
      },
    });
    expect(result.finish).toBe('aborted');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text.startsWith(pieces.slice(0, 3).join(''))).toBe(true);
    expect(result.tokens).toBeLessThan(150);
  });

  it('returns at once for a signal aborted before the call', async () => {
    const result = await generator.generate({ messages, maxTokens: 50, signal: AbortSignal.abort() });
    expect(result).toMatchObject({ finish: 'aborted', text: '', tokens: 0, firstTokenMs: null });
  });

  it('returns the partial text with finish "timeout" when timeoutMs expires', async () => {
    const result = await generator.generate({
      messages,
      maxTokens: 150,
      timeoutMs: 150,
      onToken: () => busyWait(25),
    });
    expect(result.finish).toBe('timeout');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.tokens).toBeLessThan(150);
    expect(result.error).toMatch(/150 ms/);
  });

  it('runs one generation at a time', async () => {
    const events: string[] = [];
    const [a, b] = await Promise.all([
      generator.generate({ messages, maxTokens: 8, onToken: () => events.push('a') }),
      generator.generate({ messages, maxTokens: 8, onToken: () => events.push('b') }),
    ]);
    expect(a.tokens).toBeGreaterThan(0);
    expect(b.tokens).toBeGreaterThan(0);
    const firstB = events.indexOf('b');
    expect(events.slice(firstB)).not.toContain('a');
  });

  it('refuses a JSON schema it cannot compile with invalid_input', async () => {
    const bad = { type: 'object', properties: { x: { enum: 'not a list' } } };
    await expect(generator.generate({ messages, maxTokens: 5, jsonSchema: bad })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('falls back to a plain transcript format when the GGUF has no chat template', async () => {
    const plain = path.join(home.dir, 'plain.gguf');
    writeTinyModel(plain, { withoutTemplate: true });
    const g = await loadLlamaGenerator({ modelPath: plain, threads: 1, name: 'plain' });
    try {
      expect(g.chatFormat).toBe('General');
      expect(g.id).toBe('llama:plain');
      const result = await g.generate({ messages, maxTokens: 5 });
      expect(['stop', 'length']).toContain(result.finish);
    } finally {
      await g.close();
    }
  });

  it('refuses a missing, non-GGUF or truncated file with an error naming it', async () => {
    const missing = path.join(home.dir, 'nope', 'model.gguf');
    const e1 = await loadError(missing);
    expect(e1.code).toBe('not_found');
    expect(e1.message).toContain(missing);
    expect(e1.message).toContain('AIRDESK_HOME/models/<name>/model.gguf');

    const text = path.join(home.dir, 'notes.gguf');
    fs.writeFileSync(text, 'this is not a model\n');
    const e2 = await loadError(text);
    expect(e2.code).toBe('invalid_input');
    expect(e2.message).toContain(text);
    expect(e2.message).toMatch(/not a GGUF/);

    const bytes = fs.readFileSync(file);
    for (const [label, size] of [
      ['header', 3000],
      ['weights', Math.floor(bytes.length * 0.6)],
    ] as const) {
      const cut = path.join(home.dir, `cut-${label}.gguf`);
      fs.writeFileSync(cut, bytes.subarray(0, size));
      const e = await loadError(cut);
      expect(e.code, label).toBe('invalid_input');
      expect(e.message, label).toContain(cut);
      expect(e.message, label).toMatch(/copy (it|the file) again/i);
    }
  });

  it('refuses to generate after close', async () => {
    const g = await loadLlamaGenerator({ modelPath: file, threads: 1 });
    await g.close();
    await expect(g.generate({ messages, maxTokens: 5 })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
