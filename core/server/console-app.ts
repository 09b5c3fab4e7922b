import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { consoleCsp, consoleRoutes, signInRequestSchema, type SessionInfo } from '../contract/console-api.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import { createTenantSchema } from '../contract/tenant.js';
import { packageRoot, packageVersion } from '../package-root.js';
import { registerKnowledgeRoutes } from './knowledge-routes.js';
import { registerAnswerRoutes, type AnswerDesk } from './answer-routes.js';
import type { ConnectorDesk } from './connector-desk.js';
import { registerConnectorRoutes } from './connector-routes.js';
import type { DeskService } from '../desk/desk-service.js';
import { registerDeskEvents } from './desk-events-route.js';
import { registerDeskRoutes } from './desk-routes.js';
import { registerDeskSettingsRoutes } from './desk-settings-routes.js';
import {
  actorOf,
  authenticate,
  openSession,
  sameSecret,
  sessionTtlMs,
  signInLimiter,
  type Principal,
} from './console-auth.js';
import { errorBody, installCommonHandlers } from './http-common.js';
import type { ServerMetrics } from './metrics.js';
import { consoleOpenApi } from './openapi.js';

export interface ConsoleAppOptions {
  store: Store;
  consoleToken: string;
  logger: FastifyBaseLogger;
  metrics: ServerMetrics;
  /** The answer engine behind the draft and answer-memory routes. */
  answers: AnswerDesk;
  /** Connector syncs (the scheduler and its live progress); without it the connector routes are absent. */
  connectors?: ConnectorDesk;
  /** Aborted when the server stops waiting for requests in flight: drafts still being written stop. */
  shutdown: AbortSignal;
  /** Built console UI; defaults to dist/renderer in the package. */
  uiDir?: string;
  /** The support desk (inbox, agent actions, live desk events); without it the desk routes are absent. */
  desk?: DeskService;
  /** Where widget.js is read from for the Settings page's live preview (default dist/widget in the package). */
  widgetDir?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const publicPaths = new Set([consoleRoutes.health]);
const needsAuth = (url: string) => url.startsWith('/api/') || url === consoleRoutes.metrics;

/**
 * The console listener's app: the console UI, its API and /metrics. It is bound to 127.0.0.1 only; every API
 * call needs the console token or a session, and requests naming another host are refused, which defeats DNS
 * rebinding from a web page.
 */
export async function buildConsoleApp(options: ConsoleAppOptions): Promise<FastifyInstance> {
  const { store, consoleToken, metrics } = options;
  const app = Fastify({ loggerInstance: options.logger, bodyLimit: 1024 * 1024 });
  await app.register(fastifyCookie);
  const ui = consoleUi(options.uiDir ?? path.join(packageRoot, 'dist', 'renderer'));
  installCommonHandlers(app, 'console', metrics, (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (request.method === 'GET' && !needsAuth(url) && !path.extname(url)) {
      return reply.type('text/html').send(ui.indexHtml()); // client-side routes like /inbox
    }
    return reply.status(404).send(errorBody('not_found', `no route ${request.method} ${url}`));
  });
  const limiter = signInLimiter();
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Content-Security-Policy', consoleCsp);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!isLoopbackHost(request.headers.host)) {
      return reply
        .status(403)
        .send(errorBody('forbidden', 'the console answers only on 127.0.0.1 or localhost'));
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !['GET', 'HEAD'].includes(request.method) && !sameOrigin(origin, request)) {
      return reply.status(403).send(errorBody('forbidden', 'cross-origin requests are not accepted'));
    }
    const url = request.url.split('?')[0] ?? '/';
    if (publicPaths.has(url as typeof consoleRoutes.health)) return;
    if (request.method === 'POST' && url === consoleRoutes.session) return;
    if (!needsAuth(url)) return;
    const principal = await authenticate(request, consoleToken, store);
    if (!principal) {
      return reply
        .status(401)
        .send(errorBody('unauthorized', 'sign in with the console token printed by "airdesk serve"'));
    }
    request.principal = principal;
  });

  app.get(consoleRoutes.health, async () => ({ ok: true }));
  app.get(consoleRoutes.metrics, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get(consoleRoutes.openapi, async () => consoleOpenApi(packageVersion));

  app.get(consoleRoutes.session, async (request) => sessionInfo(request.principal));
  app.post(consoleRoutes.session, async (request, reply) => {
    const wait = limiter.blockedForMs();
    if (wait > 0) {
      reply.header('Retry-After', String(Math.ceil(wait / 1000)));
      return reply.status(429).send(errorBody('rate_limited', 'too many failed sign-ins; wait a minute'));
    }
    const { token } = signInRequestSchema.parse(request.body);
    if (!sameSecret(token, consoleToken)) {
      limiter.fail();
      request.log.warn('console sign-in with a wrong token');
      throw new AppError(
        'unauthorized',
        'that is not the console token; copy it from the URL "airdesk serve" printed',
      );
    }
    const session = await openSession(reply, store);
    await store.audit.append({
      actor: 'console-token',
      tenantId: null,
      action: 'session.open',
      target: null,
      details: {},
    });
    return sessionInfo({ kind: 'session', session });
  });
  app.delete(consoleRoutes.session, async (request, reply) => {
    if (request.principal?.kind === 'session') await store.sessions.delete(request.principal.session.id);
    reply.clearCookie('airdesk_session', { path: '/' });
    return reply.status(204).send();
  });

  app.get(consoleRoutes.tenants, async () => ({ tenants: await store.tenants.list() }));
  app.post(consoleRoutes.tenants, async (request, reply) => {
    const input = createTenantSchema.parse(request.body);
    const tenant = await store.tenants.create(input);
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant.id,
      action: 'tenant.create',
      target: tenant.id,
      details: { name: tenant.name },
    });
    return reply.status(201).send(tenant);
  });
  registerAnswerRoutes(app, { store, answers: options.answers, shutdown: options.shutdown });
  registerKnowledgeRoutes(app, { store, knowledge: options.answers.engine.knowledge });
  if (options.connectors) {
    registerConnectorRoutes(app, { store, connectors: options.connectors, shutdown: options.shutdown });
  }
  registerDeskSettingsRoutes(app, { store });
  if (options.desk) {
    registerDeskRoutes(app, { store, desk: options.desk, shutdown: options.shutdown });
    registerDeskEvents(app, { store, desk: options.desk, shutdown: options.shutdown });
  }
  app.get('/widget.js', async (_request, reply) => {
    // The same script the widget listener serves, from this origin: the console's CSP (script-src 'self') lets
    // the Settings page load it for a live theme preview.
    const file = path.join(options.widgetDir ?? path.join(packageRoot, 'dist', 'widget'), 'widget.js');
    let body: Buffer;
    try {
      body = await fs.promises.readFile(file);
    } catch {
      return reply
        .status(404)
        .send(
          errorBody('not_found', 'widget.js is not built; run "npm run build" and restart "airdesk serve"'),
        );
    }
    return reply.type('application/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(body);
  });

  await serveUi(app, ui, store, consoleToken);
  return app;
}

interface ConsoleUi {
  dir: string;
  built: boolean;
  indexHtml(): string;
}

function consoleUi(dir: string): ConsoleUi {
  const indexFile = path.join(dir, 'index.html');
  const built = fs.existsSync(indexFile);
  return {
    dir,
    built,
    indexHtml: () =>
      built
        ? fs.readFileSync(indexFile, 'utf8')
        : '<!doctype html><title>airdesk</title><p>The console UI is not built. Run <code>npm run build</code>.</p>',
  };
}

/**
 * Serves the built UI. `/?token=T` (the URL `airdesk serve` prints) opens a session and redirects to a clean
 * URL so the token does not stay in the address bar or history; a wrong token gets 401 and the sign-in page.
 */
async function serveUi(
  app: FastifyInstance,
  ui: ConsoleUi,
  store: Store,
  consoleToken: string,
): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    const token = (request.query as Record<string, unknown> | undefined)?.token;
    if (request.method !== 'GET' || typeof token !== 'string' || needsAuth(request.url.split('?')[0] ?? ''))
      return;
    if (!sameSecret(token, consoleToken)) return reply.status(401).type('text/html').send(ui.indexHtml());
    await openSession(reply, store);
    return reply.redirect('/', 302);
  });
  if (ui.built) {
    await app.register(fastifyStatic, { root: ui.dir, index: false, wildcard: false, serveDotFiles: false });
  }
  app.get('/', async (_request, reply) =>
    reply.type('text/html').header('Cache-Control', 'no-store').send(ui.indexHtml()),
  );
}

function sessionInfo(principal: Principal | undefined): SessionInfo {
  const expiresAt =
    principal?.kind === 'session'
      ? principal.session.expiresAt
      : new Date(Date.now() + sessionTtlMs).toISOString();
  return { signedIn: true, method: 'token', expiresAt, version: packageVersion };
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '');
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

function sameOrigin(origin: string, request: FastifyRequest): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
