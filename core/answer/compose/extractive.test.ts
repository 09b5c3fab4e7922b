import { describe, expect, it } from 'vitest';
import { composeExtractive, isProceduralQuestion, type ComposePassage } from './extractive.js';

const passage = (marker: number, heading: string, text: string, score = 1): ComposePassage => ({
  marker,
  title: 'Help centre',
  headings: ['Help centre', heading],
  text,
  docId: `doc-${marker}`,
  chunkId: `doc-${marker}#p0c0`,
  score,
});

const resetPassword = passage(
  3,
  'Reset your password',
  [
    'You can reset a forgotten password from the sign-in page.',
    '',
    '1. Open the sign-in page and choose Forgot password.',
    '2. Enter the email address on your account.',
    '3. Open the link in the email we send you.',
    '4. Choose a new password of at least 12 characters.',
    '',
    'Reset links expire after 30 minutes.',
  ].join('\n'),
  0.9,
);
const refunds = passage(
  7,
  'Refunds',
  'Refunds go back to the original card within 5 business days. Store credit is issued at once. ' +
    'We cannot refund gift cards.',
  0.8,
);
const shipping = passage(
  2,
  'Shipping',
  'Standard shipping takes 3 to 5 business days. Express shipping arrives the next day.',
  0.5,
);

const ask = (question: string, passages: ComposePassage[], extra: object = {}) =>
  composeExtractive({ question, passages, queryType: 'conceptual', ...extra });

describe('composeExtractive', () => {
  it('answers a how-to question with a lead and every step, in order, cited to its passage', () => {
    const out = ask('How do I reset my password?', [refunds, resetPassword, shipping]);
    expect(out.answer).toBe(
      [
        'You can reset a forgotten password from the sign-in page. [3]',
        '',
        '1. Open the sign-in page and choose Forgot password. [3]',
        '2. Enter the email address on your account. [3]',
        '3. Open the link in the email we send you. [3]',
        '4. Choose a new password of at least 12 characters. [3]',
      ].join('\n'),
    );
    expect(out.sentences.every((s) => s.citations.join() === '3')).toBe(true);
    expect(out.coverage).toBeGreaterThan(0.9);
  });

  it('answers a factual question with the sentences that say it, not the whole passage', () => {
    const out = ask('How long does a refund take to reach my card?', [shipping, refunds, resetPassword]);
    expect(out.sentences[0]).toEqual({
      text: 'Refunds go back to the original card within 5 business days.',
      citations: [7],
    });
    expect(out.sentences.every((s) => s.citations.join() === '7')).toBe(true);
    expect(out.answer).not.toContain('Store credit');
    expect(out.answer).not.toMatch(/^\d\./m);
  });

  it('quotes only text that is in the cited passage', () => {
    const passages = [refunds, resetPassword, shipping];
    for (const question of ['How do I reset my password?', 'Can I get store credit?', 'express shipping']) {
      const out = ask(question, passages);
      expect(out.sentences.length).toBeGreaterThan(0);
      for (const s of out.sentences) {
        const cited = passages.filter((p) => s.citations.includes(p.marker));
        expect(cited).toHaveLength(1);
        expect(cited[0]?.text).toContain(s.text);
      }
    }
  });

  it('quotes a sentence two passages share only once', () => {
    const a = passage(1, 'Returns', 'Returns are free within 30 days of delivery. Use the label in the box.');
    const b = passage(2, 'Exchanges', 'Returns are free within 30 days of delivery. Exchanges ship at once.');
    const out = ask('Are returns free within 30 days?', [a, b]);
    expect(out.sentences.filter((s) => s.text.startsWith('Returns are free'))).toHaveLength(1);
    expect(out.sentences[0]?.citations).toEqual([1]);
  });

  it('returns an empty answer when nothing covers enough of the question', () => {
    expect(ask('Do you sell replacement lawnmower blades?', [refunds, resetPassword, shipping])).toEqual({
      answer: '',
      sentences: [],
      coverage: 0,
    });
    expect(ask('hi, thanks!', [refunds]).answer).toBe('');
    expect(ask('How do I reset my password?', []).answer).toBe('');
  });

  it('keeps a long procedure to the room it has: best steps in order, always the last one', () => {
    const steps = Array.from(
      { length: 12 },
      (_, i) => `${i + 1}. Step ${i + 1} checks the widget dial ${i}.`,
    );
    steps[5] = '6. Press the reset button on the router for ten seconds.';
    const long = passage(4, 'Router reset', ['Resetting the router:', '', ...steps].join('\n'));
    const out = ask('How do I reset the router with the button?', [long], { maxSentences: 4 });
    const texts = out.sentences.map((s) => s.text);
    expect(texts).toHaveLength(4);
    expect(texts[0]).toBe('Resetting the router:');
    expect(texts).toContain('Press the reset button on the router for ten seconds.');
    expect(texts.at(-1)).toBe('Step 12 checks the widget dial 11.');
    const order = texts.slice(1).map((t) => steps.findIndex((s) => s.endsWith(t)));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('lets a precomputed similarity pick between sentences that share no words with the question', () => {
    const p = passage(
      1,
      'Account',
      'Your profile photo appears on every ticket. Closing an account deletes its data after 30 days.',
    );
    const similarity = (text: string) => (text.startsWith('Closing') ? 0.8 : 0.1);
    const out = ask('What happens when I remove my profile?', [p], { similarity, maxSentences: 1 });
    expect(out.sentences[0]?.text).toMatch(/^Closing an account/);
  });

  it('is deterministic and fast on eight passages', () => {
    const passages = Array.from({ length: 8 }, (_, i) =>
      passage(i + 1, `Topic ${i}`, `${resetPassword.text}\n\n${refunds.text}\n\n${shipping.text}`),
    );
    const first = ask('How do I reset my password?', passages);
    const started = performance.now();
    for (let i = 0; i < 50; i++) expect(ask('How do I reset my password?', passages)).toEqual(first);
    expect((performance.now() - started) / 50).toBeLessThan(5);
  });
});

describe('isProceduralQuestion', () => {
  it('tells how-to questions, problems and requests from questions after a fact', () => {
    for (const q of [
      'How do I cancel?',
      "My promo code isn't working",
      'I want a refund',
      'Can I change my address?',
    ])
      expect(isProceduralQuestion(q), q).toBe(true);
    for (const q of ['What is the return window?', 'How long does shipping take?', 'Does the jacket shrink?'])
      expect(isProceduralQuestion(q), q).toBe(false);
  });
});
