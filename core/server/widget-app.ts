import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { z } from 'zod';
import { visitorSchema, type ConversationEvent } from '../contract/conversation.js';
import { AppError } from '../contract/errors.js';
import type { Store, WidgetKeyRecord } from '../contract/store.js';
import type { DeskService } from '../desk/desk-service.js';
import { RateLimiter, type BucketLimit } from '../desk/rate-limit.js';
import { cleanMessageText, maxMessageChars } from '../desk/text.js';
import type { VisitorTokens } from '../desk/visitor-tokens.js';
import { resolveWidgetKey } from '../desk/widget-keys.js';
import { packageRoot } from '../package-root.js';
import { errorBody, installCommonHandlers } from './http-common.js';
import type { ServerMetrics } from './metrics.js';

/** The widget API as the widget listener serves it; without it only /healthz and /widget.js answer. */
export interface WidgetDesk {
  desk: DeskService;
  tokens: VisitorTokens;
}

export interface WidgetLimits {
  /** Request body limit in bytes. */
  bodyBytes: number;
  perKey: BucketLimit;
  perVisitor: BucketLimit;
}

export const defaultWidgetLimits: WidgetLimits = {
  bodyBytes: 16 * 1024,
  perKey: { capacity: 300, refillPerSecond: 5 },
  perVisitor: { capacity: 20, refillPerSecond: 0.5 },
};

export interface WidgetAppOptions {
  store: Store;
  logger: FastifyBaseLogger;
  metrics: ServerMetrics;
  widget?: WidgetDesk;
  limits?: Partial<WidgetLimits>;
  /** Aborted when the server stops waiting: engine runs stop and event streams end. */
  shutdown?: AbortSignal;
  /** Where widget.js is read from (default dist/widget under the package root). */
  widgetDir?: string;
}

export const widgetRoutes = {
  health: '/healthz',
  script: '/widget.js',
  conversations: '/v1/conversations',
  messages: '/v1/conversations/:id/messages',
  events: '/v1/conversations/:id/events',
  csat: '/v1/conversations/:id/csat',
} as const;

const createConversationSchema = z.object({ visitor: visitorSchema.strict().optional() }).strict();
const postMessageSchema = z.object({ text: z.string().min(1).max(maxMessageChars) }).strict();
const csatSchema = z
  .object({ rating: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() })
  .strict();
const idParamsSchema = z.object({ id: z.uuid() });
const eventsQuerySchema = z
  .object({
    key: z.string().max(200).optional(),
    token: z.string().max(1000).optional(),
    lastEventId: z.string().max(20).optional(),
  })
  .strict();

const maxBufferedBytes = 256 * 1024;
const keepAliveMs = 15_000;

declare module 'fastify' {
  interface FastifyRequest {
    widgetKey?: WidgetKeyRecord;
  }
}

/**
 * The widget listener: what visitors' browsers on the intranet reach. It may bind a LAN address, so it serves
 * only the public widget API (SPEC.md `/v1`) and the widget script, never the console. Every `/v1` call needs a
 * publishable key used from one of its origins; conversation calls also need the visitor token issued for that
 * conversation.
 */
export async function buildWidgetApp(options: WidgetAppOptions): Promise<FastifyInstance> {
  const limits: WidgetLimits = { ...defaultWidgetLimits, ...options.limits };
  const { store } = options;
  const app = Fastify({ loggerInstance: options.logger, bodyLimit: limits.bodyBytes });
  installCommonHandlers(app, 'widget', options.metrics);
  const keyLimiter = new RateLimiter(limits.perKey);
  const visitorLimiter = new RateLimiter(limits.perVisitor);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });

  app.get(widgetRoutes.health, async () => ({ ok: true }));
  app.get(widgetRoutes.script, async (request, reply) => {
    const file = path.join(options.widgetDir ?? path.join(packageRoot, 'dist', 'widget'), 'widget.js');
    let body: Buffer;
    try {
      body = await fs.promises.readFile(file);
    } catch {
      return reply
        .status(404)
        .send(
          errorBody('not_found', 'widget.js is not built on this server; run "npm run build" and restart'),
        );
    }
    // Short cache with revalidation: a rebuilt widget reaches pages within minutes.
    return reply
      .type('application/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=300, must-revalidate')
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .send(body);
  });

  const reapIdleSockets = trackIdleSockets(app);
  // Connections with no request in flight (an ended stream's, a browser's spare preconnected one) are closed
  // while the listener stops, so they cannot hold the close up; requests in flight still finish.
  let reaper: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    reapIdleSockets();
    reaper = setInterval(reapIdleSockets, 100);
    reaper.unref();
  });
  app.addHook('onClose', async () => clearInterval(reaper));
  const widget = options.widget;
  if (!widget) return app;
  const { desk, tokens } = widget;

  // CORS and the key: preflights answer only origins some key allows; calls must come from their key's origins.
  app.addHook('onRequest', async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (!url.startsWith('/v1/')) return;
    const origin = request.headers.origin;
    const known = origin !== undefined && (await store.widgetKeys.allowedOrigins()).includes(origin);
    if (known) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Expose-Headers', 'Retry-After');
    }
    reply.header('Vary', 'Origin');
    if (request.method === 'OPTIONS') {
      if (!known) {
        return reply.status(403).send(errorBody('forbidden', 'this origin may not use the widget API'));
      }
      return reply
        .status(204)
        .header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Visitor-Token, Last-Event-ID')
        .header('Access-Control-Max-Age', '600')
        .send();
    }
    const key = bearerOf(request) ?? queryParam(request, 'key');
    const record = key ? await resolveWidgetKey(store, key) : null;
    if (!record) {
      return reply
        .status(401)
        .send(errorBody('unauthorized', 'a valid publishable key is needed: Authorization: Bearer pk_...'));
    }
    if (origin === undefined ? record.origins.length > 0 : !record.origins.includes(origin)) {
      return reply
        .status(403)
        .send(errorBody('forbidden', `origin ${origin ?? '(none)'} is not allowed for this widget key`));
    }
    const wait = keyLimiter.take(record.id);
    if (wait > 0) return tooMany(reply, wait);
    request.widgetKey = record;
  });
  app.options('/v1/*', async (_request, reply) => reply.status(204).send());

  /** The conversation of the path, once the visitor token proves it is the caller's. */
  async function conversationOf(request: FastifyRequest, reply: FastifyReply) {
    const record = request.widgetKey;
    if (!record) throw new AppError('unauthorized', 'a valid publishable key is needed');
    const { id } = idParamsSchema.parse(request.params);
    const token = headerValue(request.headers['x-visitor-token']) ?? queryParam(request, 'token');
    if (!token) throw new AppError('unauthorized', 'the visitor token is missing (X-Visitor-Token)');
    const check = tokens.check(token, record.tenantId, id);
    if (!check.ok) {
      if (check.reason === 'invalid') throw new AppError('unauthorized', 'the visitor token is not valid');
      throw new AppError(
        'forbidden',
        check.reason === 'expired'
          ? 'the visitor token has expired; start a new conversation'
          : 'the visitor token is for another conversation',
      );
    }
    const wait = visitorLimiter.take(token);
    if (wait > 0) {
      tooMany(reply, wait);
      return null;
    }
    const conversation = await desk.conversation(record.tenantId, id);
    return { tenant: record.tenantId, conversation };
  }

  app.post(widgetRoutes.conversations, async (request, reply) => {
    const record = request.widgetKey!;
    const body = createConversationSchema.parse(request.body ?? {});
    const conversation = await desk.startConversation(record.tenantId, body.visitor ?? {});
    return reply.status(201).send({
      conversationId: conversation.id,
      visitorToken: tokens.issue(record.tenantId, conversation.id),
    });
  });

  app.post(widgetRoutes.messages, async (request, reply) => {
    const found = await conversationOf(request, reply);
    if (!found) return reply;
    const { text } = postMessageSchema.parse(request.body);
    const clean = cleanMessageText(text);
    if (!clean) throw new AppError('invalid_input', 'text: the message is empty');
    const { message } = await desk.postVisitorMessage(found.tenant, found.conversation.id, clean, {
      ...(options.shutdown ? { signal: options.shutdown } : {}),
    });
    return reply.status(202).send({ messageId: message.id });
  });

  app.get(widgetRoutes.messages, async (request, reply) => {
    const found = await conversationOf(request, reply);
    if (!found) return reply;
    const messages = await desk.messages(found.tenant, found.conversation.id);
    return {
      status: found.conversation.status,
      messages: messages.map((m) => ({
        id: m.id,
        role: m.role,
        text: m.text,
        ...(m.citations.length > 0 ? { citations: m.citations } : {}),
        createdAt: m.createdAt,
      })),
    };
  });

  app.post(widgetRoutes.csat, async (request, reply) => {
    const found = await conversationOf(request, reply);
    if (!found) return reply;
    const body = csatSchema.parse(request.body);
    const comment = body.comment === undefined ? null : cleanMessageText(body.comment) || null;
    await desk.rate(found.tenant, found.conversation.id, body.rating, comment);
    return reply.status(204).send();
  });

  const open = new Set<PassThrough>();
  const closeAll = () => {
    for (const stream of open) stream.end();
  };
  app.addHook('preClose', async () => closeAll());
  // Engine runs still going finish (or stop on the shutdown signal) before the store may close.
  app.addHook('onClose', async () => desk.idle());
  options.shutdown?.addEventListener('abort', closeAll, { once: true });

  app.get(widgetRoutes.events, async (request, reply) => {
    const found = await conversationOf(request, reply);
    if (!found) return reply;
    const query = eventsQuerySchema.parse(request.query);
    const lastId = headerValue(request.headers['last-event-id']) ?? query.lastEventId ?? '0';
    if (!/^\d{1,15}$/.test(lastId)) throw new AppError('invalid_input', 'Last-Event-ID must be an event id');
    const { tenant } = found;
    const conversationId = found.conversation.id;
    let sent = Number(lastId);
    const stream = new PassThrough();
    const send = (event: ConversationEvent) => {
      if (event.id <= sent || stream.writableEnded || stream.destroyed) return;
      if (stream.writableLength > maxBufferedBytes) {
        stream.end(); // too slow to follow; it reconnects with its Last-Event-ID and catches up
        return;
      }
      sent = event.id;
      stream.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    // Subscribe first, then replay: events stored meanwhile come through one or the other, never both.
    let replaying = true;
    const pending: ConversationEvent[] = [];
    const unsubscribe = desk.subscribe(tenant, conversationId, (event) =>
      replaying ? pending.push(event) : send(event),
    );
    open.add(stream);
    const keepAlive = setInterval(() => {
      if (!stream.writableEnded) stream.write(': keep-alive\n\n');
    }, keepAliveMs);
    keepAlive.unref();
    const raw = reply.raw;
    const socket = raw.socket; // the response lets go of it when the client leaves
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(stream);
      if (!stream.writableEnded) stream.end();
      // The stream is over (client gone, too slow, or shutdown): its connection goes too once the end is written,
      // so a half-closed socket can neither linger nor hold up the listener's close. The client resumes by id.
      if (raw.writableFinished || raw.destroyed) socket?.destroy();
      else {
        raw.once('finish', () => socket?.destroy());
        setTimeout(() => socket?.destroy(), 1000).unref();
      }
    };
    stream.once('close', finish);
    stream.once('finish', finish);
    reply.raw.once('close', finish);
    stream.write('retry: 3000\n\n');
    try {
      for (;;) {
        const batch = await desk.events(tenant, conversationId, sent);
        for (const event of batch) send(event);
        if (batch.length < 1000) break;
      }
    } finally {
      replaying = false;
      for (const event of pending.splice(0)) send(event);
    }
    if (options.shutdown?.aborted) stream.end();
    return reply
      .type('text/event-stream; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Accel-Buffering', 'no')
      .send(stream);
  });

  return app;
}

/**
 * Sockets of the listener with no request in flight. Node's own closeIdleConnections misses a connection on which
 * no request ever came (clients open spare ones), and one whose client left mid-stream; this closes those too.
 */
function trackIdleSockets(app: FastifyInstance): () => void {
  const inFlight = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (inFlight.has(socket)) inFlight.set(socket, Math.max(0, (inFlight.get(socket) ?? 1) - 1));
    });
  });
  return () => {
    for (const [socket, count] of inFlight) if (count === 0) socket.destroy();
  };
}

function tooMany(reply: FastifyReply, waitMs: number): FastifyReply {
  return reply
    .status(429)
    .header('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))))
    .send(errorBody('rate_limited', 'too many requests; wait and try again'));
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** EventSource cannot send headers, so the events stream also takes `?key=` and `?token=` (logs redact both). */
function queryParam(request: FastifyRequest, name: 'key' | 'token'): string | null {
  if (request.method !== 'GET' || !request.url.split('?')[0]?.endsWith('/events')) return null;
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : null;
}
