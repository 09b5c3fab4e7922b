import { describe, expect, it } from 'vitest';
import { resolveLanguage, translate, translator } from './i18n.js';

describe('i18n', () => {
  it('picks a table from a language tag and falls back to English', () => {
    expect(resolveLanguage('de')).toBe('de');
    expect(resolveLanguage('de-AT')).toBe('de');
    expect(resolveLanguage('DE_ch')).toBe('de');
    expect(resolveLanguage('fr')).toBe('en');
    expect(resolveLanguage('')).toBe('en');
    expect(resolveLanguage(null)).toBe('en');
  });

  it('translates, fills placeholders and falls back to English for unknown languages', () => {
    expect(translate('de', 'talkToPerson')).toBe('Mit einer Person sprechen');
    expect(translate('fr', 'talkToPerson')).toBe('Talk to a person');
    expect(translate('en', 'rateLimited', { n: 12 })).toBe('Too many messages, try again in 12 s');
    expect(translate('de', 'csatStar', { n: 4 })).toBe('4 von 5 Sternen');
    // A placeholder without a value stays visible rather than turning into "undefined".
    expect(translate('en', 'rateLimited')).toBe('Too many messages, try again in {n} s');
    expect(translator('de-DE')('agentJoined')).toBe('Ein Mitarbeiter ist beigetreten');
  });
});
