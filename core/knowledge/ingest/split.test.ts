import { describe, expect, it } from 'vitest';
import { sentenceSegments, splitSentences } from './split.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const oneCall = (text: string): string[] => Array.from(segmenter.segment(text), (s) => s.segment);

// Characters that exercise every sentence rule: terminators, closers, abbreviations, numbers, scripts without
// spaces, combining marks, and long runs without letters (rule SB8 looks ahead through those).
const alphabet = [
  'a', 'b', 'Z', 'Q', 'é', 'ß', 'Σ', ' ', ' ', ' ', '\u00a0', '\t', '\n', '\r', '\u2029', '\u0085',
  '.', '.', '!', '?', '...', '。', '！', '\u2024', '\uff0e', '1', '2', '3.5', '١', '(', ')', '[', ']',
  '"', "'", '«', '»', ',', ';', ':', '-', '$', '%', '#', '*', '\u0301', '\u200d', '😀', '退',
  'etc.', 'e.g.', 'Mr. ', 'U.S.',
]; // prettier-ignore
const withoutLetters = alphabet.filter((c) => !/\p{L}/u.test(c)).concat('a');

/** A deterministic pseudo-random text, so a failure is reproducible. */
function randomText(seed: number, length: number, pool: readonly string[]): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += pool[state % pool.length];
  }
  return text;
}

describe('sentenceSegments', () => {
  it('finds exactly the segments of one segmenter call over the whole text, whatever the window', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const text = randomText(seed, 20 + (seed % 7) * 40, seed % 3 === 0 ? withoutLetters : alphabet);
      const expected = oneCall(text);
      for (const window of [1, 2, 5, 13, 40]) expect(sentenceSegments(text, window)).toEqual(expected);
    }
  });

  it('matches one call on long paragraphs of short lines and on one long line of prose', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `2026-11-25 INFO request ${i} took ${i % 97} ms`);
    const prose = Array.from({ length: 400 }, (_, i) => `Step ${i} is done, e.g. in 3.5 s. then (see ${i}).`);
    const mixed = prose.map((p, i) => (i % 7 === 0 ? `${p}\n` : `${p} `)).join('');
    for (const text of [lines.join('\n'), prose.join(' '), mixed])
      expect(sentenceSegments(text, 256)).toEqual(oneCall(text));
  });
});

describe('splitSentences', () => {
  it('trims sentences and records which ones a line break ends', () => {
    expect(splitSentences('Refunds take 5 days. See e.g. 10 days below.\n- Item one\n- Item two')).toEqual([
      { text: 'Refunds take 5 days.', lineBreakAfter: false },
      { text: 'See e.g. 10 days below.', lineBreakAfter: true },
      { text: '- Item one', lineBreakAfter: true },
      { text: '- Item two', lineBreakAfter: false },
    ]);
  });
});
