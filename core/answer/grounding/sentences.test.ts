import { describe, expect, it } from 'vitest';
import { isClaim } from './claims.js';
import { extractFacts } from './facts.js';
import { splitSentences, stripCitationMarkers } from './sentences.js';

describe('splitSentences', () => {
  it('keeps abbreviations, decimals and initials inside their sentence', () => {
    expect(
      splitSentences('Shipping is $8.00, e.g. for boots. Mr. J. Smith approved it, i.e. the manager. Done.'),
    ).toEqual(['Shipping is $8.00, e.g. for boots.', 'Mr. J. Smith approved it, i.e. the manager.', 'Done.']);
  });

  it('makes each list item a sentence and joins wrapped lines', () => {
    expect(
      splitSentences('To reset it:\n1. Open Settings\n2) Click [Reset]\n- Wait 2.5 days for the\n  email.'),
    ).toEqual(['To reset it:', 'Open Settings', 'Click [Reset]', 'Wait 2.5 days for the email.']);
  });

  it('keeps a citation marker with the sentence it follows, and strips markers for checking', () => {
    const sentences = splitSentences('Refunds take 14 days [1]. They go to the card. [2] Use [Save] then.');
    expect(sentences).toEqual(['Refunds take 14 days [1].', 'They go to the card. [2]', 'Use [Save] then.']);
    expect(sentences.map(stripCitationMarkers)).toEqual([
      'Refunds take 14 days.',
      'They go to the card.',
      'Use [Save] then.',
    ]);
  });

  it('splits "etc." only before a capital', () => {
    expect(splitSentences('Bring boots, shirts etc. to the store. Then call etc. Done.')).toEqual([
      'Bring boots, shirts etc. to the store.',
      'Then call etc.',
      'Done.',
    ]);
  });
});

describe('isClaim', () => {
  it.each([
    'Hi Sam!',
    'Thanks for reaching out.',
    "I'm sorry for the trouble.",
    'Let me know if there is anything else I can do.',
    'Could you send me your order number?',
    'I hope this helps.',
    "I don't have that in the knowledge base.",
    'Sure.',
  ])('%s is not a claim', (s) => expect(isClaim(s)).toBe(false));
  it.each(['Refunds are issued within 14 days.', 'Open Settings and click Reset.'])('%s is a claim', (s) =>
    expect(isClaim(s)).toBe(true),
  );
});

describe('extractFacts', () => {
  it('normalises amounts, percentages, durations and dates, and finds names', () => {
    const facts = extractFacts(
      'Gold members get 20% off $50 within a week, from Jan 5, via the Visa Gold card.',
    );
    expect(facts.map((f) => [f.kind, f.text, f.value])).toEqual([
      ['percent', '20%', 20],
      ['amount', '$50', 50],
      ['duration', 'a week', 7],
      ['date', 'Jan 5', null],
      ['entity', 'Visa Gold', null],
    ]);
  });

  it('reads button names in brackets as names and leaves a lone sentence opener alone', () => {
    const names = extractFacts('Refunds go through [Pull up Account] for Account ID holders.').map(
      (f) => f.text,
    );
    expect(names).toEqual(['Pull up Account', 'Account ID']);
  });
});
