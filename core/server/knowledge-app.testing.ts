import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Embedder } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { installCommonHandlers } from './http-common.js';
import { registerKnowledgeRoutes } from './knowledge-routes.js';
import { createMetrics } from './metrics.js';

export interface KnowledgeTestApp {
  app: FastifyInstance;
  store: Store;
  knowledge: KnowledgeBase;
  home: string;
  close(): Promise<void>;
}

/**
 * The knowledge routes on a Fastify app like the console's (its error handling and 1 MiB JSON limit, no auth:
 * that is console-app's and tested there), over a real SQLite store and LanceDB index in a temp folder, with
 * tenants "acme" and "globex". Without an embedder the knowledge base runs on full text alone.
 */
export async function openKnowledgeTestApp(
  options: { embedder?: Embedder | null; maxUploadBytes?: number } = {},
): Promise<KnowledgeTestApp> {
  const temp = tempDir('airdesk-knowledge-routes-');
  const home = path.join(temp.dir, 'home');
  const store = openSqliteStore(home);
  await store.tenants.create({ id: 'acme' });
  await store.tenants.create({ id: 'globex' });
  const knowledge = new KnowledgeBase({ store, embedder: options.embedder ?? null });
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  installCommonHandlers(app, 'console', createMetrics());
  registerKnowledgeRoutes(app, {
    store,
    knowledge,
    ...(options.maxUploadBytes !== undefined ? { maxUploadBytes: options.maxUploadBytes } : {}),
  });
  await app.ready();
  return {
    app,
    store,
    knowledge,
    home,
    close: async () => {
      await app.close();
      await knowledge.close();
      await store.close();
      temp.cleanup();
    },
  };
}
