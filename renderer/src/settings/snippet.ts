/**
 * The widget's look as the theme editor holds it, and the `<script>` tag an intranet page pastes. The attribute
 * names are the widget's own (renderer/widget/theme.ts): data-key, data-title, data-color, data-position, data-logo,
 * data-lang.
 */
export interface WidgetTheme {
  title: string;
  /** A CSS colour such as #1d4ed8; empty: the widget's default blue. */
  color: string;
  position: 'right' | 'left';
  /** An http(s) URL; empty: no logo. */
  logo: string;
  /** 'en' or 'de'; empty: the embedding page's own language. */
  lang: '' | 'en' | 'de';
}

export const defaultTheme: WidgetTheme = {
  title: '',
  color: '#1d4ed8',
  position: 'right',
  logo: '',
  lang: '',
};

/** Where the widget listener answers by default (`airdesk serve --widget-port 4871`). */
export const defaultWidgetBase = 'http://127.0.0.1:4871';

/** Stands in for the key in a snippet when no key was created in this session. */
export const keyPlaceholder = 'pk_...';

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `http(s)://host[:port]` of the widget server as typed (a trailing slash or path is dropped), or null. */
export function widgetOrigin(base: string): string | null {
  try {
    const url = new URL(base.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** The theme's data-* attributes, in the widget's names, leaving out what is empty. */
export function themeAttributes(theme: WidgetTheme): [string, string][] {
  const attributes: [string, string][] = [];
  if (theme.title.trim()) attributes.push(['data-title', theme.title.trim()]);
  if (theme.color.trim()) attributes.push(['data-color', theme.color.trim()]);
  attributes.push(['data-position', theme.position]);
  if (theme.logo.trim()) attributes.push(['data-logo', theme.logo.trim()]);
  if (theme.lang) attributes.push(['data-lang', theme.lang]);
  return attributes;
}

/** The tag to paste into the intranet page, one attribute group per line so it reads well in a template. */
export function embedSnippet(base: string, key: string, theme: WidgetTheme): string {
  const origin = widgetOrigin(base) ?? defaultWidgetBase;
  const attributes = [['data-key', key] as [string, string], ...themeAttributes(theme)]
    .map(([name, value]) => `${name}="${escapeAttribute(value)}"`)
    .join('\n        ');
  return `<script src="${escapeAttribute(origin)}/widget.js"\n        ${attributes}\n        async></script>`;
}
