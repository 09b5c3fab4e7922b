import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../core/contract/index.js';
import confluence from './index.js';
import type { FakeConfluence } from './fake-confluence.testing.js';
import { startFakeConfluence } from './fake-confluence.testing.js';
import { sourceFor } from './testing-helpers.testing.js';

const signal = new AbortController().signal;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function fake(options: Parameters<typeof startFakeConfluence>[0] = {}): Promise<FakeConfluence> {
  const started = await startFakeConfluence(options);
  closers.push(() => started.close());
  return started;
}

/** An HTTP server that answers every request the same way (a login page, another product's JSON). */
async function otherServer(status: number, contentType: string, body: string): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function validationError(promise: Promise<void>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('Confluence settings', () => {
  it('declares its kind, secret and capabilities, and normalises the base URL', () => {
    expect(confluence.kind).toBe('confluence');
    expect(confluence.secretFields).toEqual(['token']);
    expect(confluence.capabilities).toEqual({ listIds: true, permissions: true });
    const settings = confluence.settingsSchema.parse({
      baseUrl: 'https://wiki.corp.local/wiki/',
      spaces: ['DOCS'],
      token: { env: 'CONFLUENCE_TOKEN' },
    });
    expect(settings).toMatchObject({
      baseUrl: 'https://wiki.corp.local/wiki',
      pageLimit: 50,
      includeArchived: false,
    });
  });

  it('rejects a plain-text token, a non-http URL and an empty space list', () => {
    const base = { baseUrl: 'https://wiki.corp.local', spaces: ['DOCS'], token: { env: 'T' } };
    expect(confluence.settingsSchema.safeParse({ ...base, token: 'secret' }).success).toBe(false);
    expect(confluence.settingsSchema.safeParse({ ...base, baseUrl: 'ftp://wiki' }).success).toBe(false);
    expect(confluence.settingsSchema.safeParse({ ...base, spaces: [] }).success).toBe(false);
  });
});

describe('Confluence validate', () => {
  it('accepts a good token and readable spaces, under a context path', async () => {
    const wiki = await fake({ contextPath: '/wiki' });
    await expect(sourceFor(wiki).validate(signal)).resolves.toBeUndefined();
    expect(wiki.requests.map((r) => r.path)).toEqual([
      '/rest/api/user/current',
      '/rest/api/space/DOCS',
      '/rest/api/space/SUP',
    ]);
    expect(wiki.requests[0]?.authorization).toBe(`Bearer ${wiki.token}`);
  });

  it('says the token was refused on a 401', async () => {
    const wiki = await fake();
    wiki.expireToken();
    const error = await validationError(sourceFor(wiki).validate(signal));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/the personal access token was refused/);
    expect(error.message).not.toContain(wiki.token);
  });

  it('names a space that does not exist', async () => {
    const wiki = await fake();
    const error = await validationError(sourceFor(wiki, { spaces: ['DOCS', 'NOPE'] }).validate(signal));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/space "NOPE" does not exist/);
  });

  it('names a space the user may not view (403)', async () => {
    const wiki = await fake();
    wiki.failNext('/rest/api/space/SUP', { status: 403, body: { statusCode: 403, message: 'Forbidden' } });
    const error = await validationError(sourceFor(wiki).validate(signal));
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/space "SUP"/);
  });

  it('recognises a URL that answers but is not Confluence: a login page, other JSON, a 404 on /rest/api', async () => {
    const wiki = await fake({ contextPath: '/wiki' });
    const login = await otherServer(
      200,
      'text/html',
      '<html><head><title>Log in</title></head><body>Sign in</body></html>',
    );
    const other = await otherServer(200, 'application/json', '{"hello":"world"}');
    const cases = [
      { url: login, detail: /expected JSON, got text\/html "<html><head><title>Log in/ },
      { url: other, detail: /unexpected JSON shape/ },
      { url: wiki.url.replace('/wiki', ''), detail: /answered 404.*context path/ },
    ];
    for (const { url, detail } of cases) {
      const error = await validationError(sourceFor({ ...wiki, url }).validate(signal));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(/does not look like Confluence Server\/Data Center REST API/);
      expect(error.message).toMatch(detail);
    }
  });

  it('says an unreachable address is unavailable', async () => {
    const wiki = await fake();
    const url = wiki.url;
    await wiki.close();
    closers.length = 0;
    const error = await validationError(sourceFor({ ...wiki, url }).validate(signal));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/is unreachable \(.*ECONNREFUSED/);
  });
});
