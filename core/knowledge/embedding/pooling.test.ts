import { describe, expect, it } from 'vitest';
import { batchTensors, planBatches } from './batching.js';
import { tinyTokenizerJson } from './bert/tiny-bert.js';
import { cosine, normalize, poolRow } from './pooling.js';
import { TextTokenizer } from './text-tokenizer.js';

describe('pooling', () => {
  // Two rows of three tokens, two dims; the second row's last token is padding.
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99]);
  const mask = [1, 1, 1, 1, 1, 0];

  it('means over the tokens the mask keeps, so padding never dilutes a vector', () => {
    expect([...poolRow(hidden, 0, 3, 2, mask, 'mean')]).toEqual([3, 4]);
    expect([...poolRow(hidden, 1, 3, 2, mask, 'mean')]).toEqual([20, 30]);
  });

  it('takes the first token for CLS pooling', () => {
    expect([...poolRow(hidden, 1, 3, 2, mask, 'cls')]).toEqual([10, 20]);
  });

  it('normalises to unit length and leaves a zero vector alone', () => {
    expect([...normalize(Float32Array.from([3, 4]))]).toEqual([0.6000000238418579, 0.800000011920929]);
    expect([...normalize(new Float32Array(2))]).toEqual([0, 0]);
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([0, 2]))).toBe(0);
  });
});

describe('batching', () => {
  it('sorts by length and respects both the text and the padded-token limits', () => {
    const lengths = [5, 50, 7, 48, 6, 49];
    expect(planBatches(lengths, { maxTexts: 2, maxTokens: 1000 })).toEqual([
      [1, 5],
      [3, 2],
      [4, 0],
    ]);
    // Padded size is texts × the longest (first) one: 4 × 50 fits 200, a fifth would not.
    expect(planBatches(lengths, { maxTexts: 10, maxTokens: 200 })).toEqual([
      [1, 5, 3, 2],
      [4, 0],
    ]);
    // A text longer than the token budget still gets a batch of its own.
    expect(planBatches([500], { maxTexts: 10, maxTokens: 100 })).toEqual([[0]]);
  });

  it('pads on the right and masks the padding', () => {
    const t = batchTensors(
      [
        [101, 7, 102],
        [101, 102],
      ],
      [1, 0],
    );
    expect(t.sequence).toBe(3);
    expect([...t.inputIds]).toEqual([101n, 102n, 0n, 101n, 7n, 102n]);
    expect([...t.attentionMask]).toEqual([1n, 1n, 0n, 1n, 1n, 1n]);
  });
});

describe('tokenizer truncation', () => {
  const tokenizer = new TextTokenizer(JSON.parse(tinyTokenizerJson()) as object, {}, 6);
  it('keeps [CLS] … [SEP] and cuts the text between them', () => {
    const ids = tokenizer.encode('reset my password for the office printer on sunday');
    const full = new TextTokenizer(JSON.parse(tinyTokenizerJson()) as object, {}, 512).encode(
      'reset my password for the office printer on sunday',
    );
    expect(ids).toHaveLength(6);
    expect(ids.slice(0, 5)).toEqual(full.slice(0, 5));
    expect(ids[5]).toBe(full[full.length - 1]);
  });

  it('cuts a huge text before tokenizing it, with the same result', () => {
    const long = 'help '.repeat(100_000) + 'vpn';
    expect(tokenizer.encode(long)).toEqual(tokenizer.encode('help '.repeat(20)));
  });
});
