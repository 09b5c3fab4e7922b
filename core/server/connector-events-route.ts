import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectorConfig } from '../contract/connector.js';
import { connectorEvents, consoleRoutes } from '../contract/console-api.js';
import { AppError } from '../contract/errors.js';
import type { TenantId } from '../contract/tenant.js';
import type { ConnectorDesk } from './connector-desk.js';
import type { SyncEvent } from './sync-events.js';

/** A client that lets this much pile up unread is too slow to follow; its stream is closed. */
const maxBufferedBytes = 256 * 1024;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const keepAliveMs = 15_000;

interface EventsRouteOptions {
  desk: ConnectorDesk;
  shutdown: AbortSignal;
  connectorOf: (request: FastifyRequest) => Promise<{ tenant: TenantId; config: ConnectorConfig }>;
}

/**
 * GET …/:connector/events: a connector's live sync progress as server-sent events (see `connectorEvents`). The
 * number of open streams is bounded; a stream ends when its client leaves, falls too far behind, or the server
 * stops (before it waits for requests in flight, so an open stream never holds up a shutdown).
 */
export function registerConnectorEvents(app: FastifyInstance, options: EventsRouteOptions): void {
  const { desk, shutdown, connectorOf } = options;
  const open = new Set<PassThrough>();
  const closeAll = () => {
    for (const stream of open) stream.end();
  };
  app.addHook('preClose', async () => closeAll());
  shutdown.addEventListener('abort', closeAll, { once: true });

  app.get(consoleRoutes.connectorEvents, async (request, reply) => {
    const { tenant, config } = await connectorOf(request);
    const stream = new PassThrough();
    const send = (event: string, data: unknown) => {
      if (stream.writableEnded || stream.destroyed) return;
      if (stream.writableLength > maxBufferedBytes) {
        stream.end();
        return;
      }
      stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = desk.events.subscribe(tenant, config.id, (event: SyncEvent) => {
      switch (event.type) {
        case 'started':
          return send(connectorEvents.started, { run: event.run });
        case 'progress':
          return send(connectorEvents.progress, event.progress);
        case 'finished':
          return send(connectorEvents.finished, { run: event.run });
        case 'failed':
          return send(connectorEvents.failed, event.error);
      }
    });
    if (!unsubscribe) {
      throw new AppError(
        'unavailable',
        'too many live progress streams are open; close other console tabs and reload',
      );
    }
    open.add(stream);
    const keepAlive = setInterval(() => {
      if (!stream.writableEnded) stream.write(': keep-alive\n\n');
    }, keepAliveMs);
    keepAlive.unref();
    const finish = () => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(stream);
      if (!stream.writableEnded) stream.end();
    };
    stream.once('close', finish);
    stream.once('finish', finish);
    reply.raw.once('close', finish);
    if (shutdown.aborted) stream.end();
    send(connectorEvents.state, {
      state: desk.scheduler.status(tenant, config.id),
      progress: desk.events.progressOf(tenant, config.id),
    });
    return reply
      .type('text/event-stream; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Accel-Buffering', 'no')
      .send(stream);
  });
}
