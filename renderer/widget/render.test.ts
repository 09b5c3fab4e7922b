import { describe, expect, it } from 'vitest';
import { ApiError, parseRetryAfter } from './api.js';
import { translator } from './i18n.js';
import { citationTarget, knownRole, messageElement } from './render.js';
import { errorText } from './panel.js';

/**
 * A minimal stand-in for the DOM (the project has no jsdom): enough for the render functions, and it throws if
 * anything sets innerHTML/outerHTML or inserts HTML, so a test fails if rendering ever parses data as markup.
 */
class FakeNode {
  children: FakeNode[] = [];
  attributes: Record<string, string> = {};
  className = '';
  private text = '';
  constructor(readonly tagName: string) {}
  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  set textContent(value: string) {
    this.children = [];
    this.text = value;
  }
  set innerHTML(_: string) {
    throw new Error('innerHTML must not be used');
  }
  set outerHTML(_: string) {
    throw new Error('outerHTML must not be used');
  }
  insertAdjacentHTML(): never {
    throw new Error('insertAdjacentHTML must not be used');
  }
  appendChild(child: FakeNode): FakeNode {
    this.children.push(child);
    return child;
  }
  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }
  find(predicate: (node: FakeNode) => boolean): FakeNode[] {
    const own: FakeNode[] = predicate(this) ? [this] : [];
    return own.concat(...this.children.map((c) => c.find(predicate)));
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeNode(tag),
  write: () => {
    throw new Error('document.write must not be used');
  },
} as unknown as Document;

const t = translator('en');

function render(message: Parameters<typeof messageElement>[1]): FakeNode {
  return messageElement(fakeDocument, message, t).element as unknown as FakeNode;
}

describe('text-only rendering', () => {
  it('puts message text in as text, so markup shows as characters', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const element = render({ role: 'assistant', text: hostile });
    const body = element.find((n) => n.className === 'msg-text')[0];
    expect(body?.textContent).toBe(hostile);
    expect(body?.children).toEqual([]);
    expect(element.find((n) => ['script', 'img'].includes(n.tagName))).toEqual([]);
    expect(element.className).toBe('msg msg-assistant');
    expect(element.textContent).toBe('Assistant: ' + hostile);
  });

  it('never turns an unknown role into a class name', () => {
    expect(knownRole('agent')).toBe('agent');
    expect(knownRole('x" onclick="y')).toBe('system');
    expect(render({ role: 'admin onclick', text: 'hi' }).className).toBe('msg msg-system');
  });

  it('links http(s) citations with rel=noopener and shows the others as plain titles', () => {
    const element = render({
      role: 'assistant',
      text: 'See the guide.',
      citations: [
        {
          docId: 'd1',
          title: 'VPN <b>guide</b>',
          quote: 'Open the client',
          url: 'https://wiki.intranet/vpn',
        },
        { docId: 'd2', title: 'Evil', url: 'javascript:alert(1)' },
        { docId: 'd3', title: '' },
      ],
    });
    const links = element.find((n) => n.tagName === 'a');
    expect(links).toHaveLength(1);
    expect(links[0]?.textContent).toBe('VPN <b>guide</b>');
    expect(links[0]?.attributes).toMatchObject({
      href: 'https://wiki.intranet/vpn',
      rel: 'noopener noreferrer',
      target: '_blank',
      title: 'Open the client',
    });
    const titles = element.find((n) => n.className === 'source-title').map((n) => n.textContent);
    expect(titles).toEqual(['Evil', 'd3']);
  });

  it('labels a citation without a title by its document id', () => {
    expect(citationTarget({ docId: 'kb-7' })).toEqual({ label: 'kb-7', href: null });
    expect(citationTarget({ url: 'http://a.b/c' })).toEqual({ label: 'source', href: 'http://a.b/c' });
  });
});

describe('errors shown to the visitor', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('says how long to wait after a 429 and stays polite for the rest', () => {
    expect(errorText(new ApiError(429, 'rate_limited', 'slow down', 9), t)).toBe(
      'Too many messages, try again in 9 s',
    );
    expect(errorText(new ApiError(403, 'origin_not_allowed', 'no'), t)).toBe(
      'The chat is not available on this page.',
    );
    expect(errorText(new ApiError(413, 'too_large', 'big'), t)).toBe('That message is too long.');
    expect(errorText(new TypeError('Failed to fetch'), translator('de'))).toBe(
      'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
    );
  });
});
