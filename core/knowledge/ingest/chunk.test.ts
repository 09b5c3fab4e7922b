import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../contract/errors.js';
import type { ParsedDocument } from '../../contract/retrieval.js';
import { chunkDocument, headingPrefix, type DocumentChunks } from './chunk.js';
import { estimateTokens } from './tokens.js';

const sentence = (i: number): string => `Sentence number ${i} explains one small step of the refund process.`;
const paragraph = (from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

function doc(sections: ParsedDocument['sections'], title = 'Refunds'): ParsedDocument {
  return { externalId: 'refunds.md', title, source: 'kb/refunds.md', sections };
}

/** Every invariant the index and the answer engine rely on. */
function checkInvariants(chunks: DocumentChunks, childMax: number, parentMax: number): void {
  const parentIds = new Set(chunks.parents.map((p) => p.id));
  expect(parentIds.size).toBe(chunks.parents.length);
  expect(new Set(chunks.children.map((c) => c.id)).size).toBe(chunks.children.length);
  chunks.parents.forEach((p, i) => {
    expect(p.ordinal).toBe(i);
    expect(estimateTokens(p.text)).toBeLessThanOrEqual(parentMax);
  });
  chunks.children.forEach((c, i) => {
    expect(c.ordinal).toBe(i);
    expect(parentIds.has(c.parentId)).toBe(true);
    expect(c.tokenCount).toBe(estimateTokens(c.indexText));
    expect(c.tokenCount).toBeLessThanOrEqual(childMax);
    expect(c.indexText.endsWith(c.text)).toBe(true);
  });
}

describe('chunkDocument', () => {
  it('makes one parent per short section and children with the heading path as prefix', () => {
    const chunks = chunkDocument(
      doc([
        { headings: ['Refunds'], text: 'Refunds take five days.' },
        { headings: ['Refunds', 'Store credit'], text: 'Credit never expires.\n\nIt can be split.' },
      ]),
      'doc1',
    );
    expect(chunks.parents).toEqual([
      { id: 'doc1#p0', ordinal: 0, headings: ['Refunds'], text: 'Refunds take five days.' },
      {
        id: 'doc1#p1',
        ordinal: 1,
        headings: ['Refunds', 'Store credit'],
        text: 'Credit never expires.\n\nIt can be split.',
      },
    ]);
    expect(chunks.children.map((c) => [c.id, c.parentId, c.indexText])).toEqual([
      ['doc1#p0c0', 'doc1#p0', 'Refunds: Refunds take five days.'],
      ['doc1#p1c0', 'doc1#p1', 'Refunds > Store credit: Credit never expires.\n\nIt can be split.'],
    ]);
  });

  it('splits long sections on paragraphs into parents and on sentences into overlapping children', () => {
    const text = [paragraph(0, 12), paragraph(12, 12), paragraph(24, 12), paragraph(36, 12)].join('\n\n');
    const chunks = chunkDocument(doc([{ headings: ['Process'], text }]), 'd', {
      parentMaxTokens: 300,
      childMaxTokens: 64,
    });
    checkInvariants(chunks, 64, 300);
    expect(chunks.parents.length).toBeGreaterThan(1);
    // Parents end on paragraph boundaries: every parent holds whole paragraphs.
    for (const p of chunks.parents)
      expect(p.text.startsWith('Sentence number') && p.text.endsWith('process.')).toBe(true);
    // No sentence is cut, and neighbouring children in one parent share one sentence.
    for (const c of chunks.children) expect(c.text).toMatch(/^Sentence number \d+ .*process\.$/s);
    const [first, second] = chunks.children;
    const lastOfFirst = first?.text.split(/(?<=\.)\s+/).pop();
    expect(lastOfFirst && second?.text.startsWith(lastOfFirst)).toBe(true);
  });

  it('cuts a sentence only when it alone exceeds the limit, and a word only when it does', () => {
    const longSentence = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const blob = 'x'.repeat(3000);
    const chunks = chunkDocument(doc([{ headings: [], text: `${longSentence}.\n\n${blob}` }], ''), 'd', {
      childMaxTokens: 32,
      parentMaxTokens: 128,
    });
    checkInvariants(chunks, 32, 128);
    const words = chunks.children.flatMap((c) => c.text.split(/\s+/)).filter((w) => w.startsWith('word'));
    expect(new Set(words).size).toBe(300);
    expect(
      chunks.children
        .filter((c) => c.text.startsWith('x'))
        .map((c) => c.text)
        .join(''),
    ).toBe(blob);
  });

  it('yields identical ids and texts for unchanged content', () => {
    const input = doc([{ headings: ['A'], text: [paragraph(0, 30), paragraph(30, 30)].join('\n\n') }]);
    expect(chunkDocument(input, 'k')).toEqual(chunkDocument(structuredClone(input), 'k'));
  });

  it('uses an injected token counter and balances chunk sizes', () => {
    const countWords = (t: string): number => t.split(/\s+/).filter(Boolean).length;
    const chunks = chunkDocument(doc([{ headings: [], text: paragraph(0, 3) }], ''), 'd', {
      countTokens: countWords,
      childMaxTokens: 20,
      parentMaxTokens: 30,
      childOverlap: false,
    });
    expect(chunks.children.map((c) => c.tokenCount)).toEqual([11, 11, 11]);
    expect(chunks.parents.map((p) => countWords(p.text))).toEqual([22, 11]);
  });

  it('keeps long heading paths to a quarter of a child', () => {
    const headings = Array.from({ length: 20 }, (_, i) => `Heading level ${i}`);
    const chunks = chunkDocument(doc([{ headings, text: paragraph(0, 5) }]), 'd', { childMaxTokens: 64 });
    checkInvariants(chunks, 64, 512);
    // The most specific headings are kept; the prefix stays within 64 / 4 tokens.
    const indexText = chunks.children[0]?.indexText ?? '';
    const prefix = indexText.slice(0, indexText.indexOf(': ') + 2);
    expect(prefix).toMatch(/^Heading level \d+ > .*Heading level 19: $/);
    expect(estimateTokens(prefix)).toBeLessThanOrEqual(16);
  });

  it('returns no chunks for a document without text and rejects inconsistent sizes', () => {
    expect(chunkDocument(doc([{ headings: ['A'], text: ' \n\n ' }]), 'd')).toEqual({
      parents: [],
      children: [],
    });
    expect(() => chunkDocument(doc([]), 'd', { childMaxTokens: 600 })).toThrow(AppError);
    expect(() => chunkDocument(doc([]), 'd', { parentMaxTokens: 3 })).toThrow(/integer/);
  });
});

describe('headingPrefix', () => {
  it('joins title and headings, dropping a heading that repeats the one before', () => {
    expect(headingPrefix('Refund policy', ['Refund Policy', 'Store credit'])).toBe(
      'Refund policy > Store credit',
    );
    expect(headingPrefix('', [])).toBe('');
    expect(headingPrefix('', ['A'])).toBe('A');
  });
});

describe('chunkDocument on pathological input', () => {
  it('cuts a multi-megabyte word in linear time without splitting surrogate pairs', () => {
    const blob = '😀'.repeat(500_000);
    const started = performance.now();
    const chunks = chunkDocument(doc([{ headings: [], text: blob }], ''), 'd');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(chunks.children.map((c) => c.text).join('')).toBe(blob);
    const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (const c of chunks.children) expect(loneSurrogate.test(c.text)).toBe(false);
  });

  it('does sentence-segmenter work linear in the size of one huge paragraph of short lines', () => {
    // V8's segmenter costs the length of its whole input for every segment it yields, so the work is counted
    // that way: one call over the whole paragraph made a 30k-line log file take ~40 s (quadratic).
    const spy = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    const log = (lines: number): string =>
      Array.from({ length: lines }, (_, i) => `2026-11-25 11:00 INFO request ${i} took ${i % 97} ms`).join(
        '\n',
      );
    const workFor = (lines: number): number => {
      spy.mockClear();
      chunkDocument(doc([{ headings: [], text: log(lines) }], ''), 'd');
      // Segments objects can be iterated again: count what each call yielded.
      return spy.mock.calls.reduce((work, [input], i) => {
        const result = spy.mock.results[i];
        return work + (result?.type === 'return' ? input.length * Array.from(result.value).length : 0);
      }, 0);
    };
    try {
      const small = workFor(2000);
      const large = workFor(4000);
      expect(small).toBeGreaterThan(0);
      // Twice the lines: about twice the work (it was four times).
      expect(large / small).toBeLessThan(2.5);
    } finally {
      spy.mockRestore();
    }
  });
});
