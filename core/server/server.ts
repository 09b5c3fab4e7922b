import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ListeningEvent } from '../contract/console-api.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import type { AnswerDesk } from './answer-routes.js';
import type { ConnectorDesk } from './connector-desk.js';
import { buildConsoleApp } from './console-app.js';
import { createMetrics } from './metrics.js';
import { buildWidgetApp, type WidgetDesk, type WidgetLimits } from './widget-app.js';

export const defaultPorts = { console: 4870, widget: 4871 } as const;

export interface ServerOptions {
  store: Store;
  logger: FastifyBaseLogger;
  consolePort: number;
  widgetPort: number;
  widgetHost: string;
  /** The answer engine, loaded before the server starts so that "listening" means ready to draft. */
  answers: AnswerDesk;
  /** Connector syncs; the caller starts (`scheduler.refresh()`) and stops the scheduler. */
  connectors?: ConnectorDesk;
  /** Fixed token (AIRDESK_CONSOLE_TOKEN); a random one is made per start when absent. */
  consoleToken?: string;
  uiDir?: string;
  /** The support desk behind the widget API (`/v1`); without it the widget listener serves only /healthz. */
  widget?: WidgetDesk;
  widgetLimits?: Partial<WidgetLimits>;
}

export interface RunningServer {
  listening: ListeningEvent;
  consoleToken: string;
  /** Stops accepting, lets requests in flight finish, then closes both listeners. */
  close(): Promise<void>;
  /** Stops drafts still being written (the drain ran out of time); their clients get what was written. */
  abortWork(): void;
}

/** Starts both listeners; if either cannot bind, neither stays open. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const consoleToken = options.consoleToken ?? randomBytes(24).toString('base64url');
  const metrics = createMetrics();
  const shutdown = new AbortController();
  const consoleApp = await buildConsoleApp({
    store: options.store,
    consoleToken,
    answers: options.answers,
    ...(options.connectors ? { connectors: options.connectors } : {}),
    shutdown: shutdown.signal,
    logger: options.logger.child({ listener: 'console' }),
    metrics,
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    ...(options.widget ? { desk: options.widget.desk } : {}),
  });
  const widgetApp = await buildWidgetApp({
    store: options.store,
    logger: options.logger.child({ listener: 'widget' }),
    metrics,
    shutdown: shutdown.signal,
    ...(options.widget ? { widget: options.widget } : {}),
    ...(options.widgetLimits ? { limits: options.widgetLimits } : {}),
  });
  try {
    // The console carries admin powers: it is bound to loopback whatever else is configured.
    const consolePort = await listen(consoleApp, '127.0.0.1', options.consolePort, '--console-port');
    const widgetPort = await listen(widgetApp, options.widgetHost, options.widgetPort, '--widget-port');
    const listening: ListeningEvent = {
      event: 'listening',
      console: `http://127.0.0.1:${consolePort}/?token=${encodeURIComponent(consoleToken)}`,
      widget: `http://${urlHost(options.widgetHost)}:${widgetPort}`,
    };
    return {
      listening,
      consoleToken,
      close: async () => {
        await Promise.all([consoleApp.close(), widgetApp.close()]);
      },
      abortWork: () => shutdown.abort(new Error('the server is stopping')),
    };
  } catch (error) {
    await Promise.all([consoleApp.close(), widgetApp.close()]);
    throw error;
  }
}

async function listen(app: FastifyInstance, host: string, port: number, flag: string): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new AppError(
        'port_in_use',
        `port ${port} on ${host} is already in use; stop the program using it or choose another with ${flag} (0 = any free port)`,
        { cause },
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new AppError('invalid_input', `cannot listen on ${host}: no such address on this machine`, {
        cause,
      });
    }
    if (code === 'EACCES') {
      throw new AppError('invalid_input', `not allowed to listen on port ${port}; choose a port above 1024`, {
        cause,
      });
    }
    throw cause;
  }
  return (app.server.address() as AddressInfo).port;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
