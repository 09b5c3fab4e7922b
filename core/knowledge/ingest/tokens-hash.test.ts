import { describe, expect, it } from 'vitest';
import { contentHash } from './hash.js';
import { estimateTokens } from './tokens.js';

describe('estimateTokens', () => {
  it('counts words, long-word pieces, digit groups, punctuation and CJK characters', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('The refund is paid.')).toBe(5);
    expect(estimateTokens('underwriting')).toBe(2);
    expect(estimateTokens('order 1234567')).toBe(4);
    expect(estimateTokens('退款政策')).toBe(4);
    expect(estimateTokens('naïve café')).toBe(2);
  });
});

describe('contentHash', () => {
  const doc = {
    title: 'Refunds',
    sections: [
      { headings: ['Policy'], text: 'Refunds take five days.\n\nCredit never expires.' },
      { headings: [], text: '' },
    ],
  };

  it('ignores whitespace-only and line-ending changes and empty sections', () => {
    const reflowed = {
      title: ' Refunds ',
      sections: [{ headings: ['Policy '], text: 'Refunds take\r\nfive   days. Credit never expires.' }],
    };
    expect(contentHash(reflowed)).toBe(contentHash(doc));
    expect(contentHash(doc)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with words, headings, title, section boundaries and salt', () => {
    const base = contentHash(doc);
    const changed = [
      { ...doc, title: 'Refund' },
      {
        ...doc,
        sections: [{ headings: ['Policies'], text: 'Refunds take five days.\n\nCredit never expires.' }],
      },
      {
        ...doc,
        sections: [{ headings: ['Policy'], text: 'Refunds take six days.\n\nCredit never expires.' }],
      },
      {
        ...doc,
        sections: [
          { headings: ['Policy'], text: 'Refunds take five days.' },
          { headings: ['Policy'], text: 'Credit never expires.' },
        ],
      },
    ];
    for (const d of changed) expect(contentHash(d)).not.toBe(base);
    expect(contentHash(doc, 'child=128')).not.toBe(base);
  });
});
