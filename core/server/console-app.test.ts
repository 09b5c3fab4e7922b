import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../contract/store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer, type RunningServer } from './server.js';

const token = 'test-console-token-0123456789';

describe('console listener', () => {
  let home: string;
  let cleanup: () => void;
  let store: Store;
  let server: RunningServer;
  let origin: string;
  let uiDir: string;
  let closeAnswers: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    home = path.join(home, 'data');
    uiDir = path.join(path.dirname(home), 'ui');
    fs.mkdirSync(path.join(uiDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>airdesk console</title>');
    fs.writeFileSync(path.join(uiDir, 'assets', 'app.js'), 'console.log(1)');
    store = openSqliteStore(home);
    const answers = await openTestAnswerDesk(store, null);
    closeAnswers = answers.close;
    server = await startServer({
      store,
      answers: answers.desk,
      logger: pino({ level: 'silent' }),
      consolePort: 0,
      widgetPort: 0,
      widgetHost: '127.0.0.1',
      consoleToken: token,
      uiDir,
    });
    origin = new URL(server.listening.console).origin;
  });
  afterAll(async () => {
    await server.close();
    await closeAnswers();
    await store.close();
    cleanup();
  });

  const bearer = { authorization: `Bearer ${token}` };

  it('prints a console URL on 127.0.0.1 carrying the token, and a widget URL', () => {
    expect(server.listening.event).toBe('listening');
    expect(server.listening.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-console-token/);
    expect(server.listening.widget).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers health checks on both listeners', async () => {
    expect(await (await fetch(`${origin}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.listening.widget}/healthz`)).json()).toEqual({ ok: true });
  });

  it('refuses the API without the token, or with a wrong one, and leaks nothing', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { cookie: 'airdesk_session=forged' },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${origin}/api/tenants`, { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(JSON.stringify(body)).not.toContain(token);
    }
    expect((await fetch(`${origin}/metrics`)).status).toBe(401);
  });

  it('signs in with the token, keeps the session in an HttpOnly cookie, and signs out', async () => {
    const wrong = await fetch(`${origin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-it' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const res = await fetch(`${origin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ signedIn: true, method: 'token' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;

    expect((await fetch(`${origin}/api/tenants`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${origin}/api/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(
      204,
    );
    expect((await fetch(`${origin}/api/tenants`, { headers: { cookie } })).status).toBe(401);
  });

  it('turns /?token= into a session and a clean URL; a wrong token gets 401 and the sign-in page', async () => {
    const res = await fetch(`${origin}/?token=${token}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await fetch(`${origin}/api/session`, { headers: { cookie } })).status).toBe(200);

    const bad = await fetch(`${origin}/?token=guess`, { redirect: 'manual' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
  });

  it('serves the UI, its assets, and client-side routes; unknown API routes are JSON 404s', async () => {
    const page = await fetch(`${origin}/`);
    expect(await page.text()).toContain('airdesk console');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await (await fetch(`${origin}/assets/app.js`)).text()).toBe('console.log(1)');
    expect(await (await fetch(`${origin}/inbox`)).text()).toContain('airdesk console');
    const missing = await fetch(`${origin}/api/nope`, { headers: bearer });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('creates and lists tenants, with clear errors for bad or duplicate ids', async () => {
    const post = (body: unknown) =>
      fetch(`${origin}/api/tenants`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post({ id: 'acme', name: 'Acme Bank' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'acme', name: 'Acme Bank' });
    const bad = await post({ id: '../etc' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^id: a tenant id is/,
    );
    expect((await post({ id: 'acme' })).status).toBe(409);
    const list = (await (await fetch(`${origin}/api/tenants`, { headers: bearer })).json()) as {
      tenants: { id: string }[];
    };
    expect(list.tenants.map((t) => t.id)).toEqual(['acme']);
    expect((await store.audit.list({ tenantId: 'acme' }))[0]).toMatchObject({ action: 'tenant.create' });
  });

  it('refuses requests addressed to another host name (DNS rebinding) and cross-origin writes', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.get(`${origin}/healthz`, { headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(status).toBe(403);
    const res = await fetch(`${origin}/api/tenants`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json', origin: 'http://attacker.example' },
      body: JSON.stringify({ id: 'evil' }),
    });
    expect(res.status).toBe(403);
    expect(await store.tenants.get('evil')).toBeNull();
  });

  it('exposes Prometheus metrics and an OpenAPI document', async () => {
    const metrics = await (await fetch(`${origin}/metrics`, { headers: bearer })).text();
    expect(metrics).toMatch(
      /airdesk_http_requests_total\{listener="console",method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(metrics).toContain('airdesk_process_cpu_seconds_total');
    const doc = (await (await fetch(`${origin}/api/openapi.json`, { headers: bearer })).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/session', '/api/tenants', '/metrics']),
    );
  });

  it('answers 429 with Retry-After after many failed sign-ins', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 25; i++) {
      last = await fetch(`${origin}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: `guess-${i}` }),
      });
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('startServer', () => {
  it('says which port is in use and leaves nothing listening', async () => {
    const { dir, cleanup } = tempDir();
    const store = openSqliteStore(dir);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const answers = await openTestAnswerDesk(store, null);
    try {
      await expect(
        startServer({
          store,
          answers: answers.desk,
          logger: pino({ level: 'silent' }),
          consolePort: 0,
          widgetPort: port,
          widgetHost: '127.0.0.1',
        }),
      ).rejects.toMatchObject({
        code: 'port_in_use',
        message: expect.stringContaining(`port ${port}`) as string,
      });
    } finally {
      blocker.close();
      await answers.close();
      await store.close();
      cleanup();
    }
  });
});
