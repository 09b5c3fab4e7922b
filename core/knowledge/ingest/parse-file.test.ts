import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-home.js';
import { parseFile } from './parse-file.js';
import { buildDocx, buildPdf } from './testing/fixtures.js';
import type { ParseOptions, ParseResult } from './types.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function parseOne(
  name: string,
  content: string | Buffer | null,
  options: Partial<ParseOptions> = {},
): Promise<ParseResult[]> {
  const path = join(dir, name);
  if (content !== null) writeFileSync(path, content);
  const out: ParseResult[] = [];
  for await (const result of parseFile(path, { externalId: name, ...options })) out.push(result);
  return out;
}

const reasonOf = (results: ParseResult[]): string | undefined => {
  const [first] = results;
  return first && 'failure' in first ? first.reason : undefined;
};

describe('parseFile', () => {
  it('dispatches every supported type by extension, case-insensitively', async () => {
    const titles = async (name: string, content: string | Buffer): Promise<string[]> =>
      (await parseOne(name, content)).map((r) => ('failure' in r ? `FAIL ${r.reason}` : r.title));
    expect(await titles('a.md', '# Markdown\n\ntext')).toEqual(['Markdown']);
    expect(await titles('b.MARKDOWN', 'text')).toEqual(['b']);
    expect(await titles('c.txt', 'Text title\n\nbody')).toEqual(['Text title']);
    expect(await titles('d.htm', '<title>Page</title><p>x</p>')).toEqual(['Page']);
    expect(await titles('e.PDF', buildPdf([['pdf text']]))).toEqual(['e']);
    expect(
      await titles('f.docx', await buildDocx([{ style: 'Title', text: 'Word' }, { text: 'x' }])),
    ).toEqual(['Word']);
    expect(await titles('g.json', '[{"id":1,"title":"J","text":"x"}]')).toEqual(['J']);
    expect(await titles('h.jsonl', '{"id":1,"title":"L","text":"x"}')).toEqual(['L']);
  });

  it('keeps the given external id and the path as source for whole-file documents', async () => {
    const [doc] = await parseOne('guide.md', 'text', { externalId: 'docs/guide.md' });
    expect(doc).toMatchObject({ externalId: 'docs/guide.md', source: join(dir, 'guide.md') });
  });

  it('reports bad input as failures and never throws', async () => {
    expect(reasonOf(await parseOne('x.xyz', 'data'))).toBe('unsupported type .xyz');
    expect(reasonOf(await parseOne('missing.md', null))).toBe('unreadable (ENOENT)');
    symlinkSync(join(dir, 'nowhere.md'), join(dir, 'dangling.md'));
    expect(reasonOf(await parseOne('dangling.md', null))).toBe('unreadable (ENOENT)');
    mkdirSync(join(dir, 'folder.md'));
    expect(reasonOf(await parseOne('folder.md', null))).toBe('not a regular file');
    expect(reasonOf(await parseOne('empty.txt', ''))).toBe('empty document');
    expect(reasonOf(await parseOne('blank.md', '\n\n   \n# \n'))).toBe('empty document');
    expect(reasonOf(await parseOne('image.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d])))).toBe(
      'binary file',
    );
    expect(reasonOf(await parseOne('broken.pdf', 'not a pdf'))).toMatch(/^corrupt PDF/);
    expect(reasonOf(await parseOne('locked.pdf', buildPdf([['x']], { encrypted: true })))).toBe('encrypted');
    const truncated = (await buildDocx([{ text: 'Body text.' }])).subarray(0, 100);
    expect(reasonOf(await parseOne('broken.docx', truncated))).toMatch(/^corrupt file/);
  });

  it('refuses whole-file formats over the size limit, but streams JSONL of any size', async () => {
    const big = '# Big\n\n' + 'word '.repeat(600_000);
    expect(reasonOf(await parseOne('big.md', big, { maxFileBytes: 2 ** 20 }))).toBe(
      'too large (2.9 MB > limit 1 MB)',
    );
    expect(
      reasonOf(
        await parseOne('big.json', `[{"id":1,"text":"${'x'.repeat(2 ** 20)}"}]`, { maxFileBytes: 2 ** 20 }),
      ),
    ).toMatch(/^too large .*use \.jsonl/);
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ _id: i, text: 'x'.repeat(500) }),
    ).join('\n');
    const results = await parseOne('big.jsonl', lines, { maxFileBytes: 2 ** 20 });
    expect(results.filter((r) => !('failure' in r))).toHaveLength(3000);
  });

  it('decodes non-UTF-8 text files', async () => {
    const [doc] = await parseOne(
      'latin.txt',
      iconv.encode('Crème brûlée\n\nLe café est très bon, à côté de l’hôtel.', 'windows-1252'),
    );
    expect(doc).toMatchObject({
      title: 'Crème brûlée',
      sections: [{ text: 'Le café est très bon, à côté de l’hôtel.' }],
    });
    const [utf16] = await parseOne(
      'u16.md',
      iconv.encode('# Überschrift\n\nText ✓', 'utf-16le', { addBOM: true }),
    );
    expect(utf16).toMatchObject({ title: 'Überschrift', sections: [{ text: 'Text ✓' }] });
  });

  it('throws only for cancellation', async () => {
    await expect(
      parseOne('a.md', 'text', { signal: AbortSignal.abort() }).then(() => 'done'),
    ).rejects.toThrow(/abort/i);
  });
});
