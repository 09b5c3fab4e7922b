import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createGroundingChecker } from '../../../core/answer/grounding/index.js';
import { buildGroundingSet, flipNegation, measureGrounding, rocAuc } from './grounding-set.js';

const guidelines = fileURLToPath(
  new URL('../../../../shared/datasets/abcd-kb/guidelines.json', import.meta.url),
);

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 for ties', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
  });

  it('counts tied pairs as half (Mann-Whitney)', () => {
    // Pairs: (0.8>0.3) (0.8>0.5) (0.5=0.5 → ½) (0.5>0.3) → 3.5 of 4.
    expect(rocAuc([0.8, 0.5, 0.5, 0.3], [1, 1, 0, 0])).toBe(0.875);
  });

  it('is NaN with one class and refuses mismatched lengths', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => rocAuc([0.1], [1, 0])).toThrow();
  });
});

describe('flipNegation', () => {
  it.each([
    ['The fee cannot be removed.', 'The fee can be removed.'],
    ['They do not need a receipt.', 'They do need a receipt.'],
    ['The code is valid for a week.', 'The code is not valid for a week.'],
    ['Ask for the order ID.', 'Do not ask for the order ID.'],
  ])('%s → %s', (from, to) => expect(flipNegation(from)).toBe(to));
});

describe.skipIf(!existsSync(guidelines))('the ABCD grounding set', () => {
  const set = buildGroundingSet(guidelines);

  it('is deterministic, balanced and split by flow', () => {
    expect(buildGroundingSet(guidelines)).toEqual(set);
    expect(set.length).toBeGreaterThan(400);
    expect(set.filter((e) => e.label === 1).length).toBe(set.filter((e) => e.label === 0).length);
    for (const kind of ['number', 'entity', 'negation', 'drift', 'verbatim', 'rephrased'])
      expect(set.some((e) => e.kind === kind)).toBe(true);
    const flowsBySplit = (split: string): Set<string> =>
      new Set(set.filter((e) => e.split === split).map((e) => e.flow));
    expect([...flowsBySplit('dev')].some((f) => flowsBySplit('test').has(f))).toBe(false);
    expect(new Set(set.map((e) => e.id)).size).toBe(set.length);
  });

  it('the lexical checker reaches ROC AUC 0.95 on both halves', async () => {
    const results = await measureGrounding(createGroundingChecker(), set);
    for (const r of results) expect(r.auc).toBeGreaterThanOrEqual(0.95);
  });
});
