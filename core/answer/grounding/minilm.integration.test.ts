import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../contract/retrieval.js';
import { defaultEmbedderName, loadEmbedder } from '../../knowledge/embedding/registry.js';
import { packageRoot } from '../../package-root.js';
import { createGroundingChecker } from './checker.js';

/** The real default embedder, when `npm run setup:models` has converted it; skipped (and said so) otherwise. */
const modelsDir = process.env.AIRDESK_MODELS_DIR ?? path.join(packageRoot, 'models');
const present = fs.existsSync(path.join(modelsDir, defaultEmbedderName, 'manifest.json'));
if (!present) console.warn(`SKIPPED grounding with ${defaultEmbedderName}: not in ${modelsDir}`);

describe.skipIf(!present)(`grounding with ${defaultEmbedderName}`, () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await loadEmbedder(defaultEmbedderName, [modelsDir]);
  });
  afterAll(async () => embedder?.close());

  const context = [
    'Refunds are issued within 14 days of the return. We accept Visa and Amex cards.',
    'To reset your password, open Settings > Security and click [Reset Password].',
  ];

  it('supports a paraphrase and still flags a changed fact', async () => {
    const checker = createGroundingChecker({ embedder });
    const report = await checker.check(
      context,
      'You will get your refund no later than 14 days after the return. We take Mastercard. Visit Settings > Security and press [Reset Password] to reset your password.',
    );
    expect(report.sentences.map((s) => s.supported)).toEqual([true, false, true]);
    expect(report.sentences[0]?.semantic).toBeGreaterThan(0.6);
    expect(report.sentences[2]?.sources).toEqual([1]);
  });
});
