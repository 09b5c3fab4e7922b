import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { consoleRoutes, tenantRoute } from '../contract/console-api.js';
import type { TextGenerator } from '../contract/answer.js';
import type { Store } from '../contract/store.js';
import { defaultEmbedderName, loadEmbedder } from '../knowledge/embedding/registry.js';
import { runIngest } from '../knowledge/pipeline/ingest-run.js';
import { packageRoot } from '../package-root.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer, type RunningServer } from './server.js';
import { openTenantTestStore } from './tenant-store.testing.js';

const token = 'answer-routes-test-token-0123456789';
/** The console token's header. */
export const bearer = { authorization: `Bearer ${token}` };

const docs: Record<string, string> = {
  'password.md': `# Reset your password

## Steps
1. Open Settings and choose Security.
2. Click Reset password.
3. Enter the six-digit code we email to you.
`,
  'shipping.md': `# Shipping

## Delivery times
Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day if ordered before 2 pm.
`,
};

export const modelsDir = path.join(packageRoot, 'models');
/** Whether the default embedding model is built; answer memory needs it. */
export const hasMiniLm = fs.existsSync(path.join(modelsDir, defaultEmbedderName, 'manifest.json'));

export interface ErrorJson {
  error: { code: string; message: string };
}

export interface AnswerTestServer {
  store: Store;
  server: RunningServer;
  origin: string;
  /** A tenant's console route, with an optional query string (`?q=...`). */
  url(route: string, tenant: string, query?: string): string;
  /** POSTs JSON to a tenant's route, with the console token unless other headers are given. */
  post(route: string, tenant: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** GETs a tenant's answers similar to `q`; `extra` is more query (`&limit=1`). */
  similar(tenant: string, q: string, extra?: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real server over a real store and index in a temp home, tenants acme (with the password and shipping
 * articles) and globex; with the default embedding model or on BM25 alone, and the given generator (null = the
 * extractive composer).
 */
export async function openAnswerTestServer(
  withEmbedder: boolean,
  generator: TextGenerator | null = null,
): Promise<AnswerTestServer> {
  const tenants = await openTenantTestStore();
  const { store, dir } = tenants;
  const embedder = withEmbedder ? await loadEmbedder(defaultEmbedderName, [modelsDir]) : null;
  const answers = await openTestAnswerDesk(store, embedder, generator);
  const folder = path.join(dir, 'kb');
  fs.mkdirSync(folder);
  for (const [name, text] of Object.entries(docs)) fs.writeFileSync(path.join(folder, name), text);
  await runIngest(answers.kb, { tenant: 'acme', paths: [folder], source: 'help' });
  const server = await startServer({
    store,
    answers: answers.desk,
    logger: pino({ level: 'silent' }),
    consolePort: 0,
    widgetPort: 0,
    widgetHost: '127.0.0.1',
    consoleToken: token,
  });
  const origin = new URL(server.listening.console).origin;
  const url = (route: string, tenant: string, query = '') => `${origin}${tenantRoute(route, tenant)}${query}`;
  return {
    store,
    server,
    origin,
    url,
    post: (route, tenant, body, headers = bearer) =>
      fetch(url(route, tenant), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    similar: (tenant, q, extra = '') =>
      fetch(url(consoleRoutes.similarAnswers, tenant, `?q=${encodeURIComponent(q)}${extra}`), {
        headers: bearer,
      }),
    close: async () => {
      await server.close();
      await answers.close();
      await tenants.close();
    },
  };
}

/** Server-sent events of a response body, in order. */
export function parseEvents(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines.find((l) => l.startsWith('data: '))?.slice('data: '.length) ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}
