import { describe, expect, it } from 'vitest';
import { ConfigError, parseColour, parseConfig, previewKey, safeHttpUrl } from './theme.js';

const src = 'http://desk.intranet:4871/widget.js';

function attrs(values: Record<string, string>): (name: string) => string | null {
  return (name) => values[name] ?? null;
}

describe('theme attributes', () => {
  it('reads every data attribute, with the API base from the script URL', () => {
    const config = parseConfig(
      attrs({
        'data-key': 'pk_abc123',
        'data-title': '  IT Help ',
        'data-color': '#1d4ed8',
        'data-position': 'LEFT',
        'data-logo': '/logo.png',
        'data-lang': 'de-CH',
      }),
      src,
    );
    expect(config).toEqual({
      key: 'pk_abc123',
      apiBase: 'http://desk.intranet:4871',
      title: 'IT Help',
      color: '#1d4ed8',
      position: 'left',
      logo: 'http://desk.intranet:4871/logo.png',
      lang: 'de',
      preview: false,
      container: null,
    });
  });

  it('lets a preview go without a key, and reads the container it mounts in', () => {
    const config = parseConfig(
      attrs({ 'data-preview': 'true', 'data-container': ' #preview ', 'data-title': 'Acme' }),
      src,
    );
    expect(config).toMatchObject({ key: previewKey, preview: true, container: '#preview', title: 'Acme' });
    expect(parseConfig(attrs({ 'data-preview': 'true', 'data-key': 'pk_real' }), src).key).toBe('pk_real');
    // Without data-preview the key stays mandatory, and anything but "true" is not a preview.
    expect(() => parseConfig(attrs({ 'data-container': '#preview' }), src)).toThrow(ConfigError);
    expect(() => parseConfig(attrs({ 'data-preview': 'yes' }), src)).toThrow(ConfigError);
  });

  it('defaults the optional attributes and uses the page language when data-lang is missing', () => {
    const config = parseConfig(attrs({ 'data-key': 'pk_x' }), src, 'de');
    expect(config).toMatchObject({ title: null, color: null, position: 'right', logo: null, lang: 'de' });
    expect(parseConfig(attrs({ 'data-key': 'pk_x', 'data-position': 'top' }), src).position).toBe('right');
    expect(parseConfig(attrs({ 'data-key': 'pk_x' }), src, 'ja').lang).toBe('en');
  });

  it('refuses a missing or malformed key and a script URL that is not http(s)', () => {
    expect(() => parseConfig(attrs({}), src)).toThrow(ConfigError);
    expect(() => parseConfig(attrs({ 'data-key': 'sk_secret' }), src)).toThrow(ConfigError);
    expect(() => parseConfig(attrs({ 'data-key': 'pk_x' }), 'file:///widget.js')).toThrow(ConfigError);
  });

  it('accepts plain colours only, never CSS that could break out of a declaration', () => {
    expect(parseColour('#fff')).toBe('#fff');
    expect(parseColour('rgb(29, 78, 216)')).toBe('rgb(29, 78, 216)');
    expect(parseColour('hsl(220 80% 48% / .9)')).toBe('hsl(220 80% 48% / .9)');
    expect(parseColour('teal')).toBe('teal');
    expect(parseColour('red;}body{display:none')).toBeNull();
    expect(parseColour('url(http://x)')).toBeNull();
    expect(parseColour('#12345')).toBeNull();
    expect(parseColour(null)).toBeNull();
  });

  it('accepts only http(s) logo URLs', () => {
    expect(safeHttpUrl('https://cdn.intranet/logo.svg')).toBe('https://cdn.intranet/logo.svg');
    expect(safeHttpUrl('javascript:alert(1)', src)).toBeNull();
    expect(safeHttpUrl('data:image/svg+xml,<svg onload=alert(1)>', src)).toBeNull();
    expect(safeHttpUrl('::::', undefined)).toBeNull();
  });
});
