import { describe, expect, it } from 'vitest';
import { consoleCsp, withCsp } from './csp.js';

describe('consoleCsp', () => {
  it('allows only the console origin and forbids plugins, framing and base rewriting', () => {
    const directives = new Map(
      consoleCsp.split(';').map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'self'");
    expect(consoleCsp).not.toMatch(/unsafe-eval|\*/);
  });
});

describe('withCsp', () => {
  it('adds the policy when the response has none, keeping other headers', () => {
    const headers = withCsp({ 'content-type': ['text/html'], 'x-one': 'single' });
    expect(headers).toEqual({
      'content-type': ['text/html'],
      'x-one': ['single'],
      'Content-Security-Policy': [consoleCsp],
    });
  });

  it("keeps the server's own policy (whatever its case) and adds ours beside it", () => {
    const headers = withCsp({ 'content-security-policy': ["default-src 'none'"] });
    expect(headers).toEqual({ 'content-security-policy': ["default-src 'none'", consoleCsp] });
  });

  it('handles a response without headers and does not mutate its input', () => {
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [consoleCsp] });
    const input = { 'Content-Security-Policy': ['a'] };
    withCsp(input, 'b');
    expect(input).toEqual({ 'Content-Security-Policy': ['a'] });
  });
});
