import { describe, expect, it } from 'vitest';
import { conversationIdOf, conversationPath, sectionOf } from '../navigation.js';
import { confidenceBand, formatAge, formatRelative, percent } from './format.js';
import { markUnsupported } from './grounding.js';
import { isSendKey } from './shortcuts.js';

describe('desk navigation', () => {
  it('maps the inbox, a conversation under it and the escalations to their sections', () => {
    expect(sectionOf('/')).toBe('inbox');
    expect(sectionOf('/inbox')).toBe('inbox');
    expect(sectionOf('/inbox/')).toBe('inbox');
    expect(sectionOf('/inbox/3f2a')).toBe('inbox');
    expect(sectionOf('/escalations')).toBe('escalations');
    expect(sectionOf('/inboxes')).toBeNull();
    expect(sectionOf('/nowhere')).toBeNull();
  });

  it('reads the conversation id back from the path it builds', () => {
    expect(conversationIdOf(conversationPath('a b/c'))).toBe('a b/c');
    expect(conversationIdOf('/inbox')).toBeNull();
    expect(conversationIdOf('/inbox/x/y')).toBeNull();
    expect(conversationIdOf('/inbox/%E0%A4%A')).toBeNull(); // a mangled link shows the inbox, not an error
  });
});

describe('desk formatting', () => {
  it('writes ages short enough for a queue column', () => {
    expect(formatAge(0)).toBe('0 s');
    expect(formatAge(59.9)).toBe('59 s');
    expect(formatAge(60)).toBe('1 min');
    expect(formatAge(12 * 60 + 30)).toBe('12 min');
    expect(formatAge(3 * 3600 + 5)).toBe('3 h');
    expect(formatAge(2 * 86_400)).toBe('2 d');
    expect(formatAge(-5)).toBe('0 s');
  });

  it('says how long ago, and just now for the last half minute', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(formatRelative('2026-11-25T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-11-25T11:48:00Z', now)).toBe('12 min ago');
    expect(formatRelative('not a date', now)).toBe('');
  });

  it('bands the confidence the way the draft panel colours it', () => {
    expect(confidenceBand(0.9)).toBe('high');
    expect(confidenceBand(0.75)).toBe('high');
    expect(confidenceBand(0.6)).toBe('medium');
    expect(confidenceBand(0.49)).toBe('low');
    expect(percent(0.614)).toBe('61 %');
  });
});

describe('marking unsupported sentences', () => {
  const draft = 'Refunds take 5 days. We also send a gift. Contact us anytime. We also send a gift.';

  it('marks every flagged sentence where it stands and keeps the text whole', () => {
    const parts = markUnsupported(draft, ['We also send a gift.']);
    expect(parts.map((p) => p.text).join('')).toBe(draft);
    expect(parts.filter((p) => p.unsupported).map((p) => p.text)).toEqual([
      'We also send a gift.',
      'We also send a gift.',
    ]);
    expect(parts[0]).toEqual({ text: 'Refunds take 5 days. ', unsupported: false });
  });

  it('ignores empty and vanished sentences, and prefers the longer of two starting together', () => {
    expect(markUnsupported(draft, ['', 'Not in the text.'])).toEqual([{ text: draft, unsupported: false }]);
    const parts = markUnsupported('Contact us anytime. Bye.', ['Contact us', 'Contact us anytime.']);
    expect(parts[0]).toEqual({ text: 'Contact us anytime.', unsupported: true });
    expect(markUnsupported('', ['x'])).toEqual([]);
  });
});

describe('the send shortcut', () => {
  it('is Ctrl+Enter or Cmd+Enter, never Enter alone', () => {
    expect(isSendKey({ key: 'Enter', ctrlKey: true, metaKey: false })).toBe(true);
    expect(isSendKey({ key: 'Enter', ctrlKey: false, metaKey: true })).toBe(true);
    expect(isSendKey({ key: 'Enter', ctrlKey: false, metaKey: false })).toBe(false);
    expect(isSendKey({ key: 'a', ctrlKey: true, metaKey: false })).toBe(false);
  });
});
