import { describe, expect, it } from 'vitest';
import {
  externalLinkTarget,
  isAllowedNavigation,
  isPermissionGranted,
  isTrustedSender,
  loopbackOriginOf,
  originOf,
} from './navigation.js';

const origin = 'http://127.0.0.1:41234';

/** URLs that look like the console to a careless prefix check but are somewhere else. */
const lookalikes = [
  'http://127.0.0.1:41234.evil.com/',
  'http://127.0.0.1.evil.com:41234/',
  'http://127.0.0.1:41234@evil.com/',
  'http://127.0.0.1:41235/',
  'http://127.0.0.1/',
  'https://127.0.0.1:41234/',
  'http://localhost:41234/',
  'http://[::1]:41234/',
  'ws://127.0.0.1:41234/',
  'file:///etc/passwd',
  'file://127.0.0.1:41234/x',
  'data:text/html,<script>alert(1)</script>',
  'javascript:alert(1)',
  'about:blank',
  'devtools://devtools/bundled/inspector.html',
  'not a url',
  '',
];

describe('isAllowedNavigation', () => {
  it('allows any path, query and fragment within the console origin', () => {
    for (const url of [`${origin}/`, `${origin}/tenants/acme?tab=sources#top`, `${origin}/?token=abc`])
      expect(isAllowedNavigation(url, origin), url).toBe(true);
  });

  it('rejects other hosts, ports, schemes and look-alikes', () => {
    for (const url of lookalikes) expect(isAllowedNavigation(url, origin), url).toBe(false);
  });

  it('rejects everything before the console origin is known', () => {
    expect(isAllowedNavigation(`${origin}/`, null)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('trusts frames showing the console origin only', () => {
    expect(isTrustedSender(`${origin}/tenants`, origin)).toBe(true);
    for (const url of lookalikes) expect(isTrustedSender(url, origin), url).toBe(false);
  });

  it('does not trust a missing frame or an unknown origin', () => {
    expect(isTrustedSender(null, origin)).toBe(false);
    expect(isTrustedSender(undefined, origin)).toBe(false);
    expect(isTrustedSender(`${origin}/`, null)).toBe(false);
  });
});

describe('externalLinkTarget', () => {
  it('sends http(s) links to other origins to the OS browser, normalized', () => {
    expect(externalLinkTarget('https://docs.example.com/guide?a=1#b', origin)).toBe(
      'https://docs.example.com/guide?a=1#b',
    );
    expect(externalLinkTarget('HTTP://Example.COM', origin)).toBe('http://example.com/');
  });

  it('drops every other scheme, credentials in the URL and the console itself', () => {
    for (const url of [
      'file:///C:/Windows/System32/calc.exe',
      'smb://server/share',
      'javascript:alert(1)',
      'mailto:a@example.com',
      'ms-settings:',
      'data:text/html,hi',
      'https://user:pw@example.com/',
      `${origin}/tenants`,
      'not a url',
    ])
      expect(externalLinkTarget(url, origin), url).toBeNull();
  });
});

describe('loopbackOriginOf', () => {
  it('returns the origin of a plain-http loopback URL', () => {
    expect(loopbackOriginOf(`${origin}/?token=abc`)).toBe(origin);
  });

  it('returns null for anything else', () => {
    for (const url of ['http://192.168.1.2:80/', 'https://127.0.0.1:1/', 'http://127.0.0.1:1@evil.com/', 'x'])
      expect(loopbackOriginOf(url), url).toBeNull();
  });
});

describe('originOf', () => {
  it('treats opaque origins as none', () => {
    expect(originOf('file:///tmp/a.html')).toBeNull();
    expect(originOf('data:text/plain,x')).toBeNull();
    expect(originOf(`${origin}/a`)).toBe(origin);
  });
});

describe('isPermissionGranted', () => {
  it('grants only sanitized clipboard writes, and only to the console', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', `${origin}/`, origin)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', origin, origin)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'http://127.0.0.1:41235/', origin)).toBe(false);
    for (const permission of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'fullscreen',
    ])
      expect(isPermissionGranted(permission, `${origin}/`, origin), permission).toBe(false);
  });
});
