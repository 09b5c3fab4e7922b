import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../contract/retrieval.js';
import { packageRoot } from '../../package-root.js';
import { cosine } from './pooling.js';
import { loadEmbedder } from './registry.js';

/**
 * The real default model, converted by `npm run setup:models`. It is build output (90 MB), so the unit suite
 * does not need it: without it these tests are skipped and say so.
 */
const modelsDir = process.env.AIRDESK_MODELS_DIR ?? path.join(packageRoot, 'models');
const names = ['all-minilm-l6-v2', 'all-minilm-l6-v2-int8'];
const present = names.filter((name) => fs.existsSync(path.join(modelsDir, name, 'manifest.json')));
if (present.length < names.length)
  console.warn(
    `SKIPPED real-model embedding tests for ${names.filter((n) => !present.includes(n)).join(', ')}: ` +
      `not in ${modelsDir} (run "npx tsx models/build/setup-default-embedder.ts" to convert it)`,
  );

describe.each(names)('real model %s', (name) => {
  let embedder: Embedder;
  beforeAll(async () => {
    if (present.includes(name)) embedder = await loadEmbedder(name, [modelsDir]);
  });
  afterAll(async () => embedder?.close());

  it.skipIf(!present.includes(name))('puts a question nearer its answer than an unrelated text', async () => {
    const [question, answer, unrelated] = await embedder.embed(
      [
        'How do I reset my password?',
        'Steps to change your account password',
        'Our office is closed on Sunday',
      ],
      'document',
    );
    const near = cosine(question ?? new Float32Array(), answer ?? new Float32Array());
    const far = cosine(question ?? new Float32Array(), unrelated ?? new Float32Array());
    expect(embedder.dims).toBe(384);
    expect(near).toBeGreaterThan(0.5);
    expect(near - far).toBeGreaterThan(0.3);
  });
});

describe.skipIf(present.length < names.length)('int8 against fp32', () => {
  it('gives nearly the same vectors', async () => {
    const [fp32, int8] = await Promise.all(names.map((n) => loadEmbedder(n, [modelsDir])));
    try {
      const texts = [
        'My claim was denied, how do I appeal?',
        'Does renters insurance cover water damage from a burst pipe in the apartment above mine?',
        'vpn',
      ];
      const [a, b] = await Promise.all([fp32?.embed(texts, 'document'), int8?.embed(texts, 'document')]);
      texts.forEach((_, i) =>
        expect(cosine(a?.[i] ?? new Float32Array(), b?.[i] ?? new Float32Array())).toBeGreaterThan(0.98),
      );
    } finally {
      await Promise.all([fp32?.close(), int8?.close()]);
    }
  });
});
