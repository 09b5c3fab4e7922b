import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import { tempDir } from '../../testing/temp-home.js';
import { referenceLogits, referenceScore } from './cross-encoder-reference.js';
import { OnnxReranker } from './onnx-reranker.js';
import { PairTokenizer } from './pair-tokenizer.js';
import {
  tinyCrossEncoderTokenizerJson,
  writeTinyRerankerFolder,
  type TinyCrossEncoder,
} from './tiny-cross-encoder.js';

const query = 'how do i reset my password?';
const passages = [
  'Steps to change my account password.',
  'Our office is closed on Sunday',
  'vpn',
  'printer printing printed, refund order help login',
  'reset the password for the vpn login, then help a printer',
  '',
];
const pairs = new PairTokenizer(JSON.parse(tinyCrossEncoderTokenizerJson()) as object, {}, 24);

/** What the independent TS forward pass and head say each passage scores; `types` false: no segment input. */
function expectedScores(model: TinyCrossEncoder, texts: string[], types = true): number[] {
  return texts.map((passage) => {
    const { ids, typeIds } = pairs.encode(query, passage);
    return referenceScore(referenceLogits(model, ids, types ? typeIds : ids.map(() => 0)));
  });
}

const maxAbsDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));

describe('ONNX reranker (worker thread, tiny random cross-encoder)', () => {
  const home = tempDir();
  const model = writeTinyRerankerFolder(home.dir, 'tiny-ce');
  let reranker: OnnxReranker;

  beforeAll(async () => {
    // Two pairs per pass, so a request spans several sorted, padded batches.
    reranker = await OnnxReranker.open(path.join(home.dir, 'tiny-ce'), {
      limits: { maxTexts: 2, maxTokens: 64 },
    });
  });
  afterAll(async () => {
    await reranker.close();
    home.cleanup();
  });

  it('scores each pair as the reference BERT forward pass plus pooler and classifier does', async () => {
    const scores = await reranker.score(query, passages);
    expect(reranker.modelId).toMatch(/^tiny-ce@[0-9a-f]{12}$/);
    expect(scores).toHaveLength(passages.length);
    expect(maxAbsDiff(scores, expectedScores(model, passages))).toBeLessThan(1e-4);
    // The passage side really is fed as segment 1: with every token type 0 the scores would differ.
    expect(maxAbsDiff(scores, expectedScores(model, passages, false))).toBeGreaterThan(1e-3);
    // Random weights still have to tell passages apart, or the comparison above proves little.
    expect(new Set(scores.map((s) => s.toFixed(4))).size).toBe(passages.length);
  });

  it('gives the same scores in batches as one by one', async () => {
    const batched = await reranker.score(query, passages);
    const single = [];
    for (const passage of passages) single.push(...(await reranker.score(query, [passage])));
    expect(maxAbsDiff(batched, single)).toBeLessThan(1e-5);
  });

  it('truncates the passage, not the query, to maxTokens', async () => {
    const long = 'printer help '.repeat(300);
    // "how do i reset my password ?" is 7 tokens: 24 - 3 specials - 7 leaves 14 passage tokens.
    const [whole, cut] = await reranker.score(query, [long, 'printer help '.repeat(7)]);
    expect(Math.abs((whole ?? 0) - (cut ?? 1))).toBeLessThan(1e-5);
    const [otherQuery] = await reranker.score('how do i reset my vpn?', [long]);
    expect(Math.abs((otherQuery ?? 0) - (whole ?? 0))).toBeGreaterThan(1e-4);
  });

  it('answers an empty request, honours an abort, and stays usable after it', async () => {
    expect(await reranker.score(query, [])).toEqual([]);
    const controller = new AbortController();
    const pending = reranker.score(query, Array<string>(300).fill(passages[0] ?? ''), controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await expect(reranker.score(query, ['vpn'], AbortSignal.abort())).rejects.toThrow(/abort/i);
    expect(await reranker.score(query, ['vpn'])).toHaveLength(1);
  });

  it('is unavailable after close()', async () => {
    const other = await OnnxReranker.open(path.join(home.dir, 'tiny-ce'));
    await other.close();
    const error: unknown = await other.score(query, ['vpn']).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('unavailable');
  });
});

describe('ONNX reranker heads and inputs', () => {
  it('scores a two-label model without token_type_ids as relevant minus irrelevant logit', async () => {
    const { dir, cleanup } = tempDir();
    const model = writeTinyRerankerFolder(dir, 'binary', { labels: 2, seed: 11, withoutTokenTypeIds: true });
    const reranker = await OnnxReranker.open(path.join(dir, 'binary'));
    try {
      const scores = await reranker.score(query, passages);
      expect(maxAbsDiff(scores, expectedScores(model, passages, false))).toBeLessThan(1e-4);
    } finally {
      await reranker.close();
      cleanup();
    }
  });
});
