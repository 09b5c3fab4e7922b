import { describe, expect, it } from 'vitest';
import { buildPdf } from '../testing/fixtures.js';
import { parsePdf } from './pdf.js';
import { pageText, type PlacedText } from './pdf-layout.js';

const context = { path: 'manuals/guide.pdf', externalId: 'guide.pdf', fallbackTitle: 'guide' };
const item = (str: string, y: number, hasEOL = false): PlacedText => ({
  str,
  transform: [12, 0, 0, 12, 72, y],
  height: 12,
  hasEOL,
});

describe('parsePdf', () => {
  it('reads text per page with page numbers in metadata', async () => {
    const pdf = buildPdf(
      [
        [
          'Refund policy',
          'Refunds are paid within thirty days of pur-',
          'chase.',
          '',
          '',
          'A second paragraph.',
        ],
        [],
        ['Last page.'],
      ],
      { title: 'Refunds' },
    );
    const doc = await parsePdf(pdf, context);
    expect(doc).toEqual({
      externalId: 'guide.pdf',
      title: 'Refunds',
      source: 'manuals/guide.pdf',
      sections: [
        {
          headings: [],
          text: 'Refund policy Refunds are paid within thirty days of purchase.\n\nA second paragraph.',
        },
        { headings: [], text: 'Last page.' },
      ],
      metadata: { pageCount: 3, sectionPages: [1, 3] },
    });
  });

  it('uses the file name when the PDF declares no title', async () => {
    const doc = await parsePdf(buildPdf([['Hello']]), context);
    expect('failure' in doc ? null : doc.title).toBe('guide');
  });

  it('fails a password-protected PDF as "encrypted"', async () => {
    const doc = await parsePdf(buildPdf([['secret']], { encrypted: true }), context);
    expect(doc).toEqual({
      failure: true,
      source: 'manuals/guide.pdf',
      externalId: 'guide.pdf',
      reason: 'encrypted',
    });
  });

  it('fails a corrupt PDF and one without a text layer with reasons', async () => {
    expect(await parsePdf(Buffer.from('%PDF-1.4\ngarbage'), context)).toMatchObject({
      failure: true,
      reason: expect.stringMatching(/^corrupt PDF/) as unknown,
    });
    expect(await parsePdf(buildPdf([[]]), context)).toMatchObject({
      failure: true,
      reason: expect.stringMatching(/^empty document/) as unknown,
    });
  });
});

describe('pageText', () => {
  it('joins wrapped lines, splits paragraphs on wide gaps and column jumps', () => {
    const text = pageText([
      item('First line', 700, true),
      item('continues here.', 686),
      item('New paragraph', 650),
      item('Column two', 700),
      item('', 690, true),
    ]);
    expect(text).toBe('First line continues here.\n\nNew paragraph\n\nColumn two');
  });
});
