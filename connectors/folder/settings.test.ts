import { describe, expect, it } from 'vitest';
import { defaultInclude, exclusionMatcher, folderSettingsSchema, includedExtensions } from './settings.js';

describe('folderSettingsSchema', () => {
  it('fills the defaults', () => {
    expect(folderSettingsSchema.parse({ path: '/srv/kb' })).toEqual({
      path: '/srv/kb',
      include: [...defaultInclude],
      exclude: [],
      maxFileBytes: 64 * 1024 * 1024,
      followSymlinks: false,
      watch: false,
    });
  });

  it('rejects a relative path, an odd extension and unknown keys', () => {
    expect(folderSettingsSchema.safeParse({ path: 'kb' }).success).toBe(false);
    expect(folderSettingsSchema.safeParse({ path: '/kb', include: ['*.m?'] }).success).toBe(false);
    expect(folderSettingsSchema.safeParse({ path: '/kb', include: [] }).success).toBe(false);
    // A misspelt key would otherwise be ignored without a word.
    expect(folderSettingsSchema.safeParse({ path: '/kb', exlude: ['x'] }).success).toBe(false);
  });
});

describe('includedExtensions', () => {
  it('accepts md, .md and *.md in any case', () => {
    expect([...includedExtensions(['md', '.TXT', '*.Pdf'])]).toEqual(['.md', '.txt', '.pdf']);
  });
});

describe('exclusionMatcher', () => {
  const excluded = exclusionMatcher([
    'archive',
    './drafts/old/',
    '*.tmp',
    '~*',
    'teams/*/private/**',
    '**/x?.md',
  ]);

  it('excludes a plain path and everything under it, not a longer name', () => {
    expect(excluded('archive')).toBe(true);
    expect(excluded('archive/2020/a.md')).toBe(true);
    expect(excluded('archived.md')).toBe(false);
    expect(excluded('drafts/old/a.md')).toBe(true);
    expect(excluded('drafts/new/a.md')).toBe(false);
    expect(excluded('x/archive/a.md')).toBe(false);
  });

  it('matches a pattern without a slash against every name, with one against the whole path', () => {
    expect(excluded('a/b/c.tmp')).toBe(true);
    expect(excluded('~backup')).toBe(true);
    expect(excluded('teams/sales/private/deal.md')).toBe(true);
    expect(excluded('teams/sales/public/deal.md')).toBe(false);
    expect(excluded('teams/a/b/private/deal.md')).toBe(false);
    expect(excluded('x1.md')).toBe(true);
    expect(excluded('deep/er/x2.md')).toBe(true);
    expect(excluded('deep/er/x22.md')).toBe(false);
  });

  it('treats regular-expression characters literally', () => {
    const match = exclusionMatcher(['notes (old)+.md', '*.[draft].md']);
    expect(match('notes (old)+.md')).toBe(true);
    expect(match('a/b.[draft].md')).toBe(true);
    expect(match('a/bd.md')).toBe(false);
  });
});
