import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseHtml } from './html.js';

const context = { path: 'site/help.html', externalId: 'help.html', fallbackTitle: 'help' };
const page = (body: string, head = ''): Buffer =>
  Buffer.from(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);

describe('parseHtml', () => {
  it('takes <title>, sections by h1-h6, and drops script, style, nav and footer', () => {
    const doc = parseHtml(
      page(
        `<nav>Home | Pricing</nav><h1>Returns</h1><p>Send it <b>back</b>
         within 30 days.</p><script>track()</script><h2>Damaged</h2><div>Send a photo.</div>
         <style>p{}</style><footer>© Shop</footer>`,
        '<title> Help centre </title>',
      ),
      context,
    );
    expect(doc).toEqual({
      externalId: 'help.html',
      title: 'Help centre',
      source: 'site/help.html',
      sections: [
        { headings: ['Returns'], text: 'Send it back within 30 days.' },
        { headings: ['Returns', 'Damaged'], text: 'Send a photo.' },
      ],
    });
  });

  it('keeps list items and table rows as lines, and <pre> whitespace', () => {
    const doc = parseHtml(
      page(
        '<ul><li>one</li><li>two</li></ul><table><tr><th>a</th> <th>b</th></tr><tr><td>1</td><td>2</td></tr></table><pre>x\n  y</pre>',
      ),
      context,
    );
    if ('failure' in doc) throw new Error(doc.reason);
    expect(doc.title).toBe('help');
    expect(doc.sections[0]?.text).toBe('one\ntwo\n\na | b\n1 | 2\n\nx\ny');
  });

  it('falls back to the first h1 for the title', () => {
    const doc = parseHtml(page('<h1>FAQ</h1><p>text</p>'), context);
    expect('failure' in doc ? null : doc.title).toBe('FAQ');
  });

  it('decodes the charset the page declares', () => {
    const bytes = iconv.encode(
      '<html><head><meta charset="windows-1252"></head><body><p>Crème brûlée – 5 €</p></body></html>',
      'windows-1252',
    );
    const doc = parseHtml(bytes, context);
    expect('failure' in doc ? null : doc.sections[0]?.text).toBe('Crème brûlée – 5 €');
  });

  it('reports binary content', () => {
    const doc = parseHtml(Buffer.from([0x3c, 0x68, 0x00, 0x01, 0x02, 0x00]), context);
    expect(doc).toMatchObject({ failure: true, reason: 'binary file' });
  });
});
