import { describe, expect, it } from 'vitest';
import { fuseConvex, fuseRrf, minMax, zScore } from './fusion.js';

describe('fusion', () => {
  it('RRF adds 1/(k+rank) across lists', () => {
    const fused = fuseRrf([
      { ids: ['a', 'b'], scores: [9, 8] },
      { ids: ['b', 'c'], scores: [0.9, 0.1] },
    ]);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 10);
    expect(fused[1]!.score).toBeCloseTo(1 / 61, 10);
  });

  it('normalises scores', () => {
    expect(minMax([2, 4, 6])).toEqual([0, 0.5, 1]);
    expect(minMax([3, 3])).toEqual([1, 1]);
    const z = zScore([1, 2, 3]);
    expect(z[1]).toBeCloseTo(0, 12);
    expect(z[2]!).toBeCloseTo(-z[0]!, 12);
  });

  it('convex fusion follows alpha and does not reward absence from a leg', () => {
    const vector = { ids: ['v', 'both', 'x'], scores: [0.9, 0.6, 0.3] };
    const bm25 = { ids: ['b', 'both', 'y'], scores: [20, 15, 1] };
    expect(fuseConvex(vector, bm25, 1, 'minmax')[0]!.id).toBe('v');
    expect(fuseConvex(vector, bm25, 0, 'minmax')[0]!.id).toBe('b');
    const balanced = fuseConvex(vector, bm25, 0.5, 'minmax');
    expect(balanced[0]!.id).toBe('both');
    // 'x' is last in the vector leg and absent from bm25: it must not beat 'y', which is in bm25 only at its floor
    const ids = balanced.map((f) => f.id);
    expect(ids.indexOf('x')).toBeGreaterThan(ids.indexOf('both'));
    expect(fuseConvex(vector, bm25, 0.5, 'zscore')[0]!.id).toBe('both');
  });
});
