import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import { tempDir } from '../../testing/temp-home.js';
import { referenceForward } from './bert/bert-reference.js';
import { tinyTokenizerJson, writeTinyModelFolder } from './bert/tiny-bert.js';
import { OnnxEmbedder } from './onnx-embedder.js';
import { cosine, normalize, poolRow } from './pooling.js';
import { TextTokenizer } from './text-tokenizer.js';
import path from 'node:path';

const texts = [
  'How do I reset my password?',
  'vpn',
  'Steps to change my account password.',
  'Our office is closed on Sunday',
  'printer printing printed, refund order help login',
];

describe('ONNX embedder (worker thread, tiny random BERT)', () => {
  const home = tempDir();
  let embedder: OnnxEmbedder;
  const weights = writeTinyModelFolder(home.dir, 'tiny');
  const tokenizer = new TextTokenizer(JSON.parse(tinyTokenizerJson()) as object, {}, 16);

  beforeAll(async () => {
    embedder = await OnnxEmbedder.open(path.join(home.dir, 'tiny'), {
      limits: { maxTexts: 2, maxTokens: 64 },
    });
  });
  afterAll(async () => {
    await embedder.close();
    home.cleanup();
  });

  it('returns unit vectors equal to the pooled reference forward pass', async () => {
    const vectors = await embedder.embed(texts, 'document');
    expect(embedder.dims).toBe(32);
    expect(embedder.modelId).toMatch(/^tiny@[0-9a-f]{12}$/);
    texts.forEach((text, i) => {
      const ids = tokenizer.encode(text);
      const hidden = referenceForward(weights, ids);
      const expected = normalize(
        poolRow(hidden, 0, ids.length, 32, new Array<number>(ids.length).fill(1), 'mean'),
      );
      const got = vectors[i] ?? new Float32Array();
      expect(got.length).toBe(32);
      expect(Math.hypot(...got)).toBeCloseTo(1, 5);
      expect(cosine(got, expected)).toBeGreaterThan(0.99999);
    });
  });

  it('gives the same vectors in batches (sorted, padded) as one by one', async () => {
    const batched = await embedder.embed(texts, 'document');
    for (const [i, text] of texts.entries()) {
      const [single] = await embedder.embed([text], 'document');
      const max = Math.max(...(single ?? []).map((v, d) => Math.abs(v - (batched[i]?.[d] ?? 0))));
      expect(max).toBeLessThan(1e-5);
    }
  });

  it('truncates to maxTokens, keeping [SEP]', async () => {
    const long = 'help '.repeat(100);
    const [a, b] = await embedder.embed([long, 'help '.repeat(14)], 'document');
    expect(cosine(a ?? new Float32Array(), b ?? new Float32Array())).toBeGreaterThan(0.99999);
  });

  it('answers an empty request without the model, and honours an abort', async () => {
    expect(await embedder.embed([], 'query')).toEqual([]);
    const controller = new AbortController();
    const pending = embedder.embed(
      Array<string>(200).fill('reset my password'),
      'document',
      controller.signal,
    );
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    const already = AbortSignal.abort();
    await expect(embedder.embed(['vpn'], 'query', already)).rejects.toThrow(/abort/i);
    // The worker is still usable after a cancelled request.
    expect(await embedder.embed(['vpn'], 'query')).toHaveLength(1);
  });

  it('is unavailable after close()', async () => {
    const other = await OnnxEmbedder.open(path.join(home.dir, 'tiny'));
    await other.close();
    const error: unknown = await other.embed(['vpn'], 'query').catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('unavailable');
  });
});

describe('ONNX embedder manifests', () => {
  it('adds the query and document prefixes, and runs a model without token_type_ids', async () => {
    const { dir, cleanup } = tempDir();
    const folder = 'prefixed';
    writeTinyModelFolder(dir, folder, {
      withoutTokenTypeIds: true,
      manifest: { queryPrefix: 'help ', documentPrefix: 'help help ', pooling: 'cls' },
    });
    const embedder = await OnnxEmbedder.open(path.join(dir, folder));
    try {
      const [query] = await embedder.embed(['vpn'], 'query');
      const [document] = await embedder.embed(['vpn'], 'document');
      const [sameText] = await embedder.embed(['help vpn'], 'query');
      expect(cosine(query ?? new Float32Array(), document ?? new Float32Array())).toBeLessThan(0.9999);
      expect(cosine(sameText ?? new Float32Array(), document ?? new Float32Array())).toBeGreaterThan(0.99999);
    } finally {
      await embedder.close();
      cleanup();
    }
  });
});
