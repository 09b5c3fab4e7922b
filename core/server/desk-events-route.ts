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
/** At shutdown, how long a stream's client gets to read the end before its connection is dropped. */
const shutdownGraceMs = 1_000;

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
  /** Open streams, each with the way to end it at shutdown. */
  const open = new Map<PassThrough, () => void>();
  const closeAll = () => {
    for (const stop of open.values()) stop();
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
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(stream);
      if (!stream.writableEnded) stream.end();
    };
    // end() only finishes once the client has read everything before it: a client that stopped reading would
    // keep the stream, its subscription and its slot forever. Destroying drops the buffered events and the
    // socket; the console reconnects and refetches.
    const cutOff = () => {
      finish();
      stream.destroy();
      reply.raw.destroy();
    };
    const send = (event: DeskEvent) => {
      if (finished || stream.writableEnded || stream.destroyed) return;
      if (stream.writableLength > maxBufferedBytes) {
        cutOff();
        return;
      }
      stream.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    // At shutdown a reading client gets a clean end; one that does not read is cut off after a short grace.
    const stop = () => {
      if (finished) return;
      stream.end();
      grace ??= setTimeout(cutOff, shutdownGraceMs);
      grace.unref();
    };
    const unsubscribe = desk.deskEvents.subscribe(tenant, send);
    open.set(stream, stop);
    const keepAlive = setInterval(() => {
      if (!stream.writableEnded) stream.write(': keep-alive\n\n');
    }, options.keepAliveMs ?? keepAliveMs);
    keepAlive.unref();
    stream.once('close', finish);
    // The grace timer outlives the stream: its last bytes may still sit in the response's buffer.
    reply.raw.once('close', () => {
      clearTimeout(grace);
      finish();
    });
    stream.write('retry: 3000\n\n');
    send({ type: deskEventTypes.ready, data: {} });
    if (shutdown.aborted) stop();
    return reply
      .type('text/event-stream; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Accel-Buffering', 'no')
      .send(stream);
  });
}
