import { describe, expect, it } from 'vitest';
import { buildDocx } from '../testing/fixtures.js';
import { parseDocx } from './docx.js';

const context = { path: 'policies/returns.docx', externalId: 'returns.docx', fallbackTitle: 'returns' };

describe('parseDocx', () => {
  it('turns Word heading styles into sections and the Title style into the title', async () => {
    const docx = await buildDocx([
      { style: 'Title', text: 'Returns handbook' },
      { text: 'Read this first.' },
      { style: 'Heading1', text: 'Returns' },
      { text: 'Return within 30 days.' },
      { text: 'Keep the receipt & box.' },
      { style: 'Heading2', text: 'Damaged items' },
      { text: 'Send a photo.' },
    ]);
    expect(await parseDocx(docx, context)).toEqual({
      externalId: 'returns.docx',
      title: 'Returns handbook',
      source: 'policies/returns.docx',
      sections: [
        { headings: [], text: 'Read this first.' },
        { headings: ['Returns'], text: 'Return within 30 days.\n\nKeep the receipt & box.' },
        { headings: ['Returns', 'Damaged items'], text: 'Send a photo.' },
      ],
    });
  });

  it('uses the file name without a Title paragraph', async () => {
    const doc = await parseDocx(
      await buildDocx([{ style: 'Heading1', text: 'Chapter 1' }, { text: 'Body.' }]),
      context,
    );
    expect('failure' in doc ? null : doc.title).toBe('returns');
  });

  it('reports password-protected (OLE) files as encrypted and non-zip files as corrupt', async () => {
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    expect(await parseDocx(ole, context)).toMatchObject({
      failure: true,
      reason: expect.stringMatching(/^encrypted/) as unknown,
    });
    expect(await parseDocx(Buffer.from('plain text'), context)).toMatchObject({
      failure: true,
      reason: expect.stringMatching(/^corrupt/) as unknown,
    });
  });

  it('throws on a truncated zip, which the dispatcher reports as corrupt', async () => {
    const docx = await buildDocx([{ text: 'Body.' }]);
    await expect(parseDocx(docx.subarray(0, 60), context)).rejects.toThrow();
  });
});
