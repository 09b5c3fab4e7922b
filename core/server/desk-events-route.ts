import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { deskRoutes, deskEventTypes, type DeskEvent } from '../contract/desk-api.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import type { DeskService } from '../desk/desk-service.js';
import { deskTenantOf } from './desk-routes.js';

/** A client that lets this much pile up unread is too slow to follow; its stream is closed (it refetches). */
const maxBufferedBytes = 256 * 1024;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const keepAliveMs = 15_000;
/** Open desk streams over all tenants: a console tab holds one. */
const maxStreams = 200;

export interface DeskEventsRouteOptions {
  store: Store;
  desk: DeskService;
  /** Aborted when the server stops waiting for requests in flight: open streams end first. */
  shutdown: AbortSignal;
  keepAliveMs?: number;
}

/**
 * GET /api/tenants/:tenant/desk/events: the tenant's live desk events as server-sent events, `ready` first.
 * Events carry no id: a console that reconnects refetches what it shows instead of replaying. A stream ends when
 * its client leaves, falls too far behind, or the server stops (before it waits for requests in flight).
 */
export function registerDeskEvents(app: FastifyInstance, options: DeskEventsRouteOptions): void {
  const { store, desk, shutdown } = options;
  const open = new Set<PassThrough>();
  const closeAll = () => {
    for (const stream of open) stream.end();
  };
  app.addHook('preClose', async () => closeAll());
  shutdown.addEventListener('abort', closeAll, { once: true });

  app.get(deskRoutes.events, async (request, reply) => {
    const tenant = await deskTenantOf(store, request);
    if (open.size >= maxStreams) {
      throw new AppError(
        'unavailable',
        'too many live desk streams are open; close other console tabs and reload',
      );
    }
    const stream = new PassThrough();
    const send = (event: DeskEvent) => {
      if (stream.writableEnded || stream.destroyed) return;
      if (stream.writableLength > maxBufferedBytes) {
        stream.end();
        return;
      }
      stream.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    const unsubscribe = desk.deskEvents.subscribe(tenant, send);
    open.add(stream);
    const keepAlive = setInterval(() => {
      if (!stream.writableEnded) stream.write(': keep-alive\n\n');
    }, options.keepAliveMs ?? keepAliveMs);
    keepAlive.unref();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(stream);
      if (!stream.writableEnded) stream.end();
    };
    stream.once('close', finish);
    stream.once('finish', finish);
    reply.raw.once('close', finish);
    stream.write('retry: 3000\n\n');
    send({ type: deskEventTypes.ready, data: {} });
    if (shutdown.aborted) stream.end();
    return reply
      .type('text/event-stream; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Accel-Buffering', 'no')
      .send(stream);
  });
}
