import { describe, expect, it } from 'vitest';
import { parseMarkdown } from './markdown.js';
import { parsePlainText } from './plain-text.js';

const context = { path: 'docs/refunds.md', externalId: 'refunds.md', fallbackTitle: 'refunds' };

describe('parseMarkdown', () => {
  it('splits sections by heading path and takes the first H1 as title', () => {
    const doc = parseMarkdown(
      [
        'Intro before any heading.',
        '# Refund policy',
        'Refunds take 5 days.',
        '## Store credit',
        'Credit never expires.',
        '### Gift cards',
        'Cards are final.',
        '## Cash',
        'Cash back at the till.',
      ].join('\n\n'),
      context,
    );
    expect(doc.title).toBe('Refund policy');
    expect(doc.sections).toEqual([
      { headings: [], text: 'Intro before any heading.' },
      { headings: ['Refund policy'], text: 'Refunds take 5 days.' },
      { headings: ['Refund policy', 'Store credit'], text: 'Credit never expires.' },
      { headings: ['Refund policy', 'Store credit', 'Gift cards'], text: 'Cards are final.' },
      { headings: ['Refund policy', 'Cash'], text: 'Cash back at the till.' },
    ]);
  });

  it('strips markup but keeps list items, code, tables and link text', () => {
    const doc = parseMarkdown(
      [
        '# Guide',
        'Use **bold** and [the portal](https://x.test) &amp; `npm ci`.',
        '- first item\n- second *item*\n  1. nested',
        '```sh\nairdesk ingest docs/\n```',
        '| plan | price |\n|---|---|\n| basic | 10 |',
        '> quoted <b>note</b>',
      ].join('\n\n'),
      context,
    );
    const text = doc.sections[0]?.text ?? '';
    expect(text).toContain('Use bold and the portal & npm ci.');
    expect(text).toContain('first item\nsecond item\nnested');
    expect(text).toContain('airdesk ingest docs/');
    expect(text).toContain('plan | price\nbasic | 10');
    expect(text).toContain('quoted note');
    expect(text).not.toMatch(/[*`#]|\]\(/);
  });

  it('reads a front-matter title and does not mistake front matter for a heading', () => {
    const doc = parseMarkdown('---\ntitle: "Shipping FAQ"\ntags: [a]\n---\nShips in 2 days.\n', context);
    expect(doc.title).toBe('Shipping FAQ');
    expect(doc.sections).toEqual([{ headings: [], text: 'Ships in 2 days.' }]);
  });

  it('falls back to the file name and drops heading-only sections', () => {
    const doc = parseMarkdown('## Only a heading\n\n## Another\n\ntext', context);
    expect(doc.title).toBe('refunds');
    expect(doc.sections).toEqual([{ headings: ['Another'], text: 'text' }]);
  });

  it('keeps heading paths in order when levels are skipped', () => {
    const doc = parseMarkdown('# A\n\n### C\n\ntext', context);
    expect(doc.sections).toEqual([{ headings: ['A', 'C'], text: 'text' }]);
  });
});

describe('parsePlainText', () => {
  it('takes a short first line as title and keeps paragraphs', () => {
    const doc = parsePlainText(
      'Password reset\r\n\r\nOpen settings.\r\nClick reset.\r\n\r\n\r\nDone.  ',
      context,
    );
    expect(doc.title).toBe('Password reset');
    expect(doc.sections).toEqual([{ headings: [], text: 'Open settings.\nClick reset.\n\nDone.' }]);
  });

  it('uses the file name when the first line is a sentence or the only line', () => {
    expect(parsePlainText('This is a sentence.\nMore.', context).title).toBe('refunds');
    const single = parsePlainText('Just one line', context);
    expect(single.title).toBe('refunds');
    expect(single.sections[0]?.text).toBe('Just one line');
  });

  it('returns no sections for whitespace-only text', () => {
    expect(parsePlainText(' \n\t\n', context).sections).toEqual([]);
  });
});
