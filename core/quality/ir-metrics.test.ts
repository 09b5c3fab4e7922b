import { describe, expect, it } from 'vitest';
import { mean, mrrAt, ndcgAt, percentile, recallAt } from './ir-metrics.js';

describe('ranking metrics', () => {
  const rel = new Map([
    ['a', 1],
    ['b', 1],
  ]);
  it('nDCG@k matches a hand computation', () => {
    expect(ndcgAt(['a', 'b', 'x'], rel, 10)).toBeCloseTo(1, 12);
    // relevant at ranks 2 and 3: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3)
    const expected = (1 / Math.log2(3) + 1 / 2) / (1 + 1 / Math.log2(3));
    expect(ndcgAt(['x', 'a', 'b'], rel, 10)).toBeCloseTo(expected, 12);
    expect(ndcgAt(['x', 'y'], rel, 10)).toBe(0);
    expect(ndcgAt(['x', 'a'], rel, 1)).toBe(0);
  });
  it('MRR and recall', () => {
    expect(mrrAt(['x', 'y', 'b'], rel, 10)).toBeCloseTo(1 / 3, 12);
    expect(mrrAt(['x', 'y', 'b'], rel, 2)).toBe(0);
    expect(recallAt(['a', 'x'], rel, 100)).toBe(0.5);
    expect(recallAt(['a'], new Map(), 100)).toBe(0);
  });
  it('mean and percentiles', () => {
    expect(mean([1, 2, 3])).toBe(2);
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile([], 95)).toBe(0);
  });
});
