import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoff, retryAfterMs, retryingFetch } from './retrying-fetch.js';

describe('retryingFetch (real HTTP server on 127.0.0.1)', () => {
  let server: http.Server | null = null;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = null;
  });
  const serve = async (handler: http.RequestListener) => {
    server = http.createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('retries 5xx with backoff and gives up after maxAttempts, returning the last response', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      res.statusCode = 502;
      res.end('bad gateway');
    });
    const logs: string[] = [];
    const f = retryingFetch(fetch, { maxAttempts: 3, baseDelayMs: 1, log: (m) => logs.push(m) });
    const response = await f(`${url}/x?token=abc`, { headers: { Authorization: 'Bearer abc' } });
    expect(response.status).toBe(502);
    expect(calls).toBe(3);
    expect(logs).toHaveLength(2);
    expect(logs.join()).not.toMatch(/abc/);
  });

  it('waits what an HTTP-date Retry-After says on 503, then succeeds', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.statusCode = 503;
        res.setHeader('Retry-After', new Date(Date.now() + 1500).toUTCString());
      }
      res.end('ok');
    });
    const started = Date.now();
    const response = await retryingFetch(fetch, { baseDelayMs: 1 })(url);
    expect(await response.text()).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // HTTP dates have whole seconds
  });

  it('returns a 429 at once when Retry-After is beyond the limit, and never retries 4xx', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls += 1;
      res.statusCode = req.url === '/slow' ? 429 : 404;
      res.setHeader('Retry-After', '3600');
      res.end();
    });
    const f = retryingFetch(fetch, { maxRetryAfterMs: 1000 });
    expect((await f(`${url}/slow`)).status).toBe(429);
    expect((await f(`${url}/missing`)).status).toBe(404);
    expect(calls).toBe(2);
  });

  it('retries network errors and stops waiting when aborted', async () => {
    const url = await serve((_req, res) => res.end());
    await new Promise((r) => server!.close(r));
    server = null;
    const abort = new AbortController();
    const f = retryingFetch(fetch, { baseDelayMs: 10_000, random: () => 0.99, signal: abort.signal });
    setTimeout(() => abort.abort(new Error('cancelled by test')), 100);
    const started = Date.now();
    await expect(f(url)).rejects.toThrow(/cancelled by test/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('computes full-jitter backoff and reads Retry-After', () => {
    expect(backoff(1, 500, 30_000, () => 0.5)).toBe(250);
    expect(backoff(10, 500, 30_000, () => 0.999)).toBeLessThan(30_000);
    expect(retryAfterMs('7', 0)).toBe(7000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(
      60_000,
    );
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});
