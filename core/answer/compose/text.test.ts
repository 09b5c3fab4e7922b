import { describe, expect, it } from 'vitest';
import { contentTerms, questionConcepts, splitUnits, stem } from './text.js';

describe('splitUnits', () => {
  it('gives prose sentences, and list lines as whole steps without their markers', () => {
    const units = splitUnits(
      'Refunds take 5 days, e.g. for cards. Credit is instant.\n\n1. Open Orders. Pick the item.\n- Click Refund\n\n## Notes',
    );
    expect(units.map((u) => [u.kind, u.text])).toEqual([
      ['sentence', 'Refunds take 5 days, e.g. for cards.'],
      ['sentence', 'Credit is instant.'],
      ['step', 'Open Orders. Pick the item.'],
      ['step', 'Click Refund'],
    ]);
  });

  it('treats unmarked lines as list items but hard-wrapped prose as sentences', () => {
    expect(splitUnits('Email Address\nOrder ID\nPhone number').map((u) => u.kind)).toEqual([
      'step',
      'step',
      'step',
    ]);
    const wrapped = splitUnits(
      'The warranty covers parts and\nlabour for two years from the\ndate of purchase.',
    );
    expect(wrapped).toMatchObject([
      {
        kind: 'sentence',
        text: 'The warranty covers parts and labour for two years from the date of purchase.',
      },
    ]);
  });
});

describe('content words', () => {
  it('drops function words and meets inflections', () => {
    expect(contentTerms("I'd like my refunds, please! The customer's shipping was delayed")).toEqual([
      'like',
      'refund',
      'customer',
      'ship',
      'delay',
    ]);
    expect(['update', 'updated', 'updating', 'updates'].map(stem)).toEqual([
      'updat',
      'updat',
      'updat',
      'updat',
    ]);
  });

  it('lets a customer phrase meet the help centre word', () => {
    const concepts = questionConcepts('How do I get my money back?');
    expect(concepts.some((c) => c.has('money') && c.has('refund'))).toBe(true);
  });
});
