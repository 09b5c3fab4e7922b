import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from '../contract/store.js';
import { installCommonHandlers } from './http-common.js';
import type { ServerMetrics } from './metrics.js';

export interface WidgetAppOptions {
  store: Store;
  logger: FastifyBaseLogger;
  metrics: ServerMetrics;
}

/**
 * The widget listener: what visitors' browsers on the intranet reach. It may bind a LAN address, so it serves
 * only the public widget API (SPEC.md `/v1`, filled in by the desk issue) and never the console.
 */
export async function buildWidgetApp(options: WidgetAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger, bodyLimit: 64 * 1024 });
  installCommonHandlers(app, 'widget', options.metrics);
  app.get('/healthz', async () => ({ ok: true }));
  return Promise.resolve(app);
}
