import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurn } from '../../contract/answer.js';
import { packageRoot } from '../../package-root.js';
import { type LlamaGenerator, loadLlamaGenerator } from './llama-generator.js';

/** Installed by `npm run setup:generator` (Gemma 3 270M base, Q4_K_M, ~250 MB). */
const modelFile = path.join(packageRoot, 'models', 'gemma-3-270m-base', 'model.gguf');
const installed = fs.existsSync(modelFile);
if (!installed)
  console.warn(`gemma integration test skipped: ${modelFile} is missing (run npm run setup:generator)`);

const messages: ChatTurn[] = [
  { role: 'system', content: 'Answer the customer from the context.' },
  {
    role: 'user',
    content:
      'Context: To reset your password, open Settings > Security and choose "Reset password". The link is valid ' +
      'for 24 hours.\nQuestion: How do I reset my password?',
  },
];

describe.skipIf(!installed)('Gemma 3 270M base through llama.cpp (real model)', () => {
  let generator: LlamaGenerator;

  beforeAll(async () => {
    generator = await loadLlamaGenerator({ modelPath: modelFile, threads: 1, contextTokens: 2048 });
  }, 60_000);
  afterAll(async () => {
    await generator?.close();
  });

  it('loads with the plain chat format (the base GGUF has no template)', () => {
    expect(generator.id).toBe('llama:gemma-3-270m-base');
    expect(generator.chatFormat).toBe('General');
    expect(generator.contextTokens).toBe(2048);
    // Gemma's 262k vocabulary: common words are single tokens.
    expect(generator.countTokens(' password')).toBe(1);
  });

  it('streams tokens', async () => {
    const pieces: string[] = [];
    const result = await generator.generate({ messages, maxTokens: 48, onToken: (t) => pieces.push(t) });
    expect(['stop', 'length']).toContain(result.finish);
    expect(result.tokens).toBeGreaterThan(3);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(result.text);
    expect(result.text.trim()).not.toBe('');
    const decodeSeconds = (result.totalMs - (result.firstTokenMs ?? 0)) / 1000;
    console.info(
      `gemma-3-270m-base, 1 thread: first token ${result.firstTokenMs} ms, ` +
        `${((result.tokens - 1) / decodeSeconds).toFixed(1)} tokens/s over ${result.tokens} tokens`,
    );
  });

  it('writes JSON that follows the schema', async () => {
    const schema = {
      type: 'object',
      properties: {
        topic: { enum: ['password', 'billing', 'shipping', 'other'] },
        needsHuman: { type: 'boolean' },
      },
      required: ['topic', 'needsHuman'],
    };
    const result = await generator.generate({
      messages: [...messages, { role: 'user', content: 'Classify the question as JSON.' }],
      maxTokens: 40,
      jsonSchema: schema,
    });
    expect(result.finish).toBe('stop');
    const parsed = JSON.parse(result.text) as { topic: string; needsHuman: unknown };
    expect(['password', 'billing', 'shipping', 'other']).toContain(parsed.topic);
    expect(typeof parsed.needsHuman).toBe('boolean');
  });

  it('stops when aborted, keeping the text so far', async () => {
    const controller = new AbortController();
    let pieces = 0;
    const result = await generator.generate({
      messages,
      maxTokens: 200,
      signal: controller.signal,
      onToken: () => {
        if (++pieces === 5) controller.abort();
      },
    });
    expect(result.finish).toBe('aborted');
    expect(result.text).not.toBe('');
    expect(result.tokens).toBeLessThan(20);
  });
});
