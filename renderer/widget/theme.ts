import { resolveLanguage } from './i18n.js';

/** What the embedding `<script>` tag configures, parsed from its `data-*` attributes. */
export interface WidgetConfig {
  /** The publishable key (`pk_...`). */
  key: string;
  /** The API origin: where widget.js itself was loaded from. */
  apiBase: string;
  title: string | null;
  /** The accent colour, only when it is a plain CSS colour (never arbitrary CSS). */
  color: string | null;
  position: 'left' | 'right';
  /** The logo URL, only http(s), resolved against the script's URL. */
  logo: string | null;
  lang: string;
  /**
   * `data-preview="true"`: a look at the widget for the console's theme editor. It shows a sample conversation and
   * answers locally; it never calls the API, so it needs no key.
   */
  preview: boolean;
  /** `data-container`: a CSS selector; the widget sits in that element's corner instead of the page's. */
  container: string | null;
}

export class ConfigError extends Error {}

const hexColour = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const functionColour = /^(?:rgb|rgba|hsl|hsla)\(\s*[\d.%,\s/+-]+\)$/i;
const namedColour = /^[a-z]{3,20}$/i;

/** The colour if it is a hex, rgb()/hsl() or named colour; null for anything else (such as `red;}body{...`). */
export function parseColour(value: string | null | undefined): string | null {
  const v = (value ?? '').trim();
  if (hexColour.test(v) || functionColour.test(v) || namedColour.test(v)) return v;
  return null;
}

/** An absolute http(s) URL for `value` relative to `base`, or null (javascript:, data: and garbage are refused). */
export function safeHttpUrl(value: string | null | undefined, base?: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The key a preview uses when it has none: it is never sent anywhere. */
export const previewKey = 'pk_preview';

/**
 * Reads the widget configuration from the script tag's attributes (`data-key`, `data-title`, `data-color`,
 * `data-position`, `data-logo`, `data-lang`, `data-preview`, `data-container`). Throws ConfigError when the key
 * (not needed by a preview) or the script URL is unusable.
 */
export function parseConfig(
  attr: (name: string) => string | null,
  scriptSrc: string,
  pageLang?: string | null,
): WidgetConfig {
  const preview = (attr('data-preview') ?? '').trim().toLowerCase() === 'true';
  const key = (attr('data-key') ?? '').trim() || (preview ? previewKey : '');
  if (!/^pk_[A-Za-z0-9_-]+$/.test(key))
    throw new ConfigError('airdesk widget: data-key must be a pk_... key');
  const src = safeHttpUrl(scriptSrc);
  if (!src) throw new ConfigError('airdesk widget: cannot tell the API origin from the script URL');
  const title = (attr('data-title') ?? '').trim().slice(0, 80);
  const container = (attr('data-container') ?? '').trim().slice(0, 200);
  return {
    key,
    apiBase: new URL(src).origin,
    title: title || null,
    color: parseColour(attr('data-color')),
    position: (attr('data-position') ?? '').trim().toLowerCase() === 'left' ? 'left' : 'right',
    logo: safeHttpUrl(attr('data-logo'), src),
    lang: resolveLanguage(attr('data-lang') || pageLang),
    preview,
    container: container || null,
  };
}
