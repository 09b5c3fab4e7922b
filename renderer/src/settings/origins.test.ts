import { describe, expect, it } from 'vitest';
import { checkOrigin, parseOrigins } from './origins.js';

describe('allowed origins as typed in the widget key form', () => {
  it('reads one origin per line, or separated by commas, normalised and without repeats', () => {
    expect(
      parseOrigins('https://Intranet.Example.com\nhttp://127.0.0.1:8080/, https://intranet.example.com'),
    ).toEqual({ origins: ['https://intranet.example.com', 'http://127.0.0.1:8080'], problems: [] });
  });

  it('says what is wrong with each bad entry', () => {
    const { origins, problems } = parseOrigins(
      'intranet.local\nftp://files.local\nhttps://a.local/help\nhttps://ok.local',
    );
    expect(origins).toEqual(['https://ok.local']);
    expect(problems).toEqual([
      '"intranet.local" is not an origin; write it like https://intranet.example.com',
      '"ftp://files.local" must start with http:// or https://',
      '"https://a.local/help" has more than scheme://host[:port]; leave out the path, use https://a.local',
    ]);
    expect(checkOrigin('https://user:pw@a.local')).toHaveProperty('problem');
    expect(checkOrigin('https://a.local?x=1')).toHaveProperty('problem');
  });

  it('asks for at least one origin', () => {
    expect(parseOrigins('  \n ').problems).toEqual([
      'Allow at least one origin: the address of the intranet page that embeds the widget.',
    ]);
  });
});
