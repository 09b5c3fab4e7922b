import { describe, expect, it } from 'vitest';
import { defaultTheme, embedSnippet, themeAttributes, widgetOrigin } from './snippet.js';

describe('the embed snippet', () => {
  it('carries the key and the chosen theme in the widget attribute names', () => {
    const snippet = embedSnippet('https://desk.acme.local:4871/', 'pk_abc', {
      title: 'IT help',
      color: '#b91c1c',
      position: 'left',
      logo: 'https://cdn.acme.local/logo.svg',
      lang: 'de',
    });
    expect(snippet).toBe(
      '<script src="https://desk.acme.local:4871/widget.js"\n' +
        '        data-key="pk_abc"\n' +
        '        data-title="IT help"\n' +
        '        data-color="#b91c1c"\n' +
        '        data-position="left"\n' +
        '        data-logo="https://cdn.acme.local/logo.svg"\n' +
        '        data-lang="de"\n' +
        '        async></script>',
    );
  });

  it('leaves out empty choices and escapes quotes and angle brackets', () => {
    const attributes = themeAttributes({ ...defaultTheme, title: 'Say "hi" <now>', color: '' });
    expect(attributes).toEqual([
      ['data-title', 'Say "hi" <now>'],
      ['data-position', 'right'],
    ]);
    expect(
      embedSnippet('http://127.0.0.1:4871', 'pk_x', { ...defaultTheme, title: 'Say "hi" <now>' }),
    ).toContain('data-title="Say &quot;hi&quot; &lt;now&gt;"');
  });

  it('takes the widget server origin only from an http(s) address', () => {
    expect(widgetOrigin(' http://desk.local:4871/widget.js ')).toBe('http://desk.local:4871');
    expect(widgetOrigin('desk.local')).toBeNull();
    expect(widgetOrigin('javascript:alert(1)')).toBeNull();
    expect(embedSnippet('nonsense', 'pk_x', defaultTheme)).toContain('src="http://127.0.0.1:4871/widget.js"');
  });
});
