import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWidgetTestServer, site, type WidgetTestServer } from './widget-app.testing.js';

// Conversations are in widget-conversations.test.ts, bad input and floods in widget-bad-input.test.ts.
let w: WidgetTestServer;
let store: WidgetTestServer['store'];
let base: WidgetTestServer['base'];
let globexKey: WidgetTestServer['globexKey'];

beforeAll(async () => {
  w = await openWidgetTestServer();
  ({ store, base, globexKey } = w);
}, 60_000);
afterAll(async () => w?.close());

const headers: WidgetTestServer['headers'] = (extra) => w.headers(extra);

describe('widget API: keys, origins, CORS', () => {
  it('answers preflights only for allowed origins', async () => {
    const ok = await fetch(`${base}/v1/conversations`, {
      method: 'OPTIONS',
      headers: { origin: site, 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(site);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/X-Visitor-Token/i);
    const bad = await fetch(`${base}/v1/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a wrong key (401), a foreign origin (403) and another tenant key origin (403)', async () => {
    const wrongKey = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ authorization: 'Bearer pk_nope' }),
      body: '{}',
    });
    expect(wrongKey.status).toBe(401);
    expect(((await wrongKey.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const noKey = await fetch(`${base}/v1/conversations`, { method: 'POST', headers: { origin: site } });
    expect(noKey.status).toBe(401);
    const wrongOrigin = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ origin: 'http://evil.example' }),
      body: '{}',
    });
    expect(wrongOrigin.status).toBe(403);
    const globexFromAcme = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ authorization: `Bearer ${globexKey}` }),
      body: '{}',
    });
    expect(globexFromAcme.status).toBe(403);
    // the normalised origin (trailing slash dropped) is accepted
    const other = await fetch(`${base}/v1/conversations`, {
      method: 'POST',
      headers: headers({ origin: 'http://other.local' }),
      body: '{}',
    });
    expect(other.status).toBe(201);
    expect(other.headers.get('access-control-allow-origin')).toBe('http://other.local');
  });

  it('serves /healthz, and widget.js or a clear 404 when it is not built', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    const script = await fetch(`${base}/widget.js`);
    if (fs.existsSync(path.join(process.cwd(), 'dist', 'widget', 'widget.js'))) {
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(script.headers.get('cache-control')).toMatch(/max-age=/);
    } else {
      expect(script.status).toBe(404);
      expect(((await script.json()) as { error: { message: string } }).error.message).toMatch(/not built/);
    }
  });
});

describe('widget.js', () => {
  it('is served from the build folder as JavaScript with a short cache, or 404 with what to do', async () => {
    const { buildWidgetApp } = await import('./widget-app.js');
    const { createMetrics } = await import('./metrics.js');
    const dir = path.join(w.dir, 'widget-build');
    const app = await buildWidgetApp({
      store,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      widgetDir: dir,
    });
    try {
      const missing = await app.inject({ method: 'GET', url: '/widget.js' });
      expect(missing.statusCode).toBe(404);
      const body = missing.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toMatch(/npm run build/);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'widget.js'), 'window.airdeskWidget = 1;');
      const script = await app.inject({ method: 'GET', url: '/widget.js' });
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(script.headers['cache-control']).toMatch(/max-age=300/);
      expect(script.body).toBe('window.airdeskWidget = 1;');
      // without a desk the widget listener has no /v1 API
      expect((await app.inject({ method: 'POST', url: '/v1/conversations', payload: {} })).statusCode).toBe(
        404,
      );
    } finally {
      await app.close();
    }
  });
});
