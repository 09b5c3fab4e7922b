import { describe, expect, it } from 'vitest';
import { tokenFrom } from './token.js';

describe('tokenFrom', () => {
  it('takes a bare token or the token out of a pasted console URL', () => {
    expect(tokenFrom('  abc123 ')).toBe('abc123');
    expect(tokenFrom('http://127.0.0.1:4870/?token=s3cr%2Bet')).toBe('s3cr+et');
    expect(tokenFrom('http://127.0.0.1:4870/inbox')).toBe('http://127.0.0.1:4870/inbox');
  });
});
