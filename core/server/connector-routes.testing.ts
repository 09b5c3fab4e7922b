import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { connectorRoute, consoleRoutes, tenantRoute } from '../contract/console-api.js';
import type { Store } from '../contract/store.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { EncryptedFileSecretStore } from '../secrets/index.js';
import { shippedRegistry } from '../sync/registry.js';
import { FakeSource, fakeDefinition } from '../sync/testing/fake-connector.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { createConnectorDesk, type ConnectorDesk } from './connector-desk.js';
import { startServer } from './server.js';
import { openTenantTestStore } from './tenant-store.testing.js';

const token = 'connector-routes-test-token-0123456789';
const bearer = { authorization: `Bearer ${token}` };
/** The fake source's API accepts only this token; it must never show up in a file, a log line or the audit. */
export const sourceToken = 'src-TOKEN-7f3a9c-never-in-plain-text';

/** Acme's connector list route. */
export const connectors = tenantRoute(consoleRoutes.connectors, 'acme');
/** One of acme's connector routes. */
export const route = (r: string, id: string) => connectorRoute(r, 'acme', id);
export const errorOf = (json: unknown) => (json as { error: { code: string; message: string } }).error;

export interface ConnectorTestServer {
  /** The temp folder holding the home (store and secrets) and the knowledge folder. */
  dir: string;
  /** The home: the SQLite store and the encrypted secret store live here. */
  home: string;
  store: Store;
  kb: KnowledgeBase;
  desk: ConnectorDesk;
  origin: string;
  /** A folder with vpn.md, refunds.md and huge.txt (5,000 bytes). */
  folder: string;
  /** The fake source's API on 127.0.0.1 (401 unless `sourceToken` comes). */
  sourceUrl: string;
  /** The fake source: 12 pages' items, 2 a page. */
  fake: FakeSource;
  /** Every line the server and the connector desk logged. */
  logLines: string[];
  /** A console API call with the console token; the JSON body of the answer, if any. */
  call(method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  /** Titles of acme's search hits, lower-cased. */
  search(q: string): Promise<string[]>;
  /** The live events of one of acme's connectors. */
  events(id: string): ConnectorEvents;
  close(): Promise<void>;
}

/**
 * A real server (console token auth, the shipped connector kinds plus the fake one) over a real store, knowledge
 * base and encrypted secret store in a temp home, with tenants acme and globex, a knowledge folder and a fake
 * source whose API runs on 127.0.0.1.
 */
export async function openConnectorTestServer(): Promise<ConnectorTestServer> {
  const tenants = await openTenantTestStore();
  const { store, home, dir } = tenants;
  const answers = await openTestAnswerDesk(store, null);
  const folder = path.join(dir, 'kb');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'vpn.md'), '# VPN\n\nUse the Frankfurt gateway to reach the intranet.');
  fs.writeFileSync(path.join(folder, 'refunds.md'), '# Refunds\n\nRefunds reach the card within five days.');
  fs.writeFileSync(path.join(folder, 'huge.txt'), 'x'.repeat(5_000));
  // The fake source's API (a remote system) on 127.0.0.1: 401 unless the right bearer token comes.
  const sourceApi = http.createServer((request, response) => {
    const ok = request.headers.authorization === `Bearer ${sourceToken}`;
    response.writeHead(ok ? 200 : 401).end('{}');
  });
  await new Promise<void>((r) => sourceApi.listen(0, '127.0.0.1', r));
  const sourceUrl = `http://127.0.0.1:${(sourceApi.address() as AddressInfo).port}`;
  const fake = new FakeSource();
  for (let i = 0; i < 12; i++) fake.put(`p${i}`, `Page ${i}`, `# Page ${i}\n\nText of page ${i}.`);
  fake.pageSize = 2;
  const logLines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  const desk = createConnectorDesk({
    kb: answers.kb,
    secrets: new EncryptedFileSecretStore(home, { machineId: 'test-machine' }),
    logger,
    registry: { ...(await shippedRegistry()), fake: async () => ({ default: fakeDefinition(fake) }) },
  });
  await desk.scheduler.refresh();
  const server = await startServer({
    store,
    answers: answers.desk,
    connectors: desk,
    logger,
    consolePort: 0,
    widgetPort: 0,
    widgetHost: '127.0.0.1',
    consoleToken: token,
  });
  const origin = new URL(server.listening.console).origin;
  return {
    dir,
    home,
    store,
    kb: answers.kb,
    desk,
    origin,
    folder,
    sourceUrl,
    fake,
    logLines,
    call: async (method, url, body) => {
      const response = await fetch(origin + url, {
        method,
        headers: { ...bearer, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : undefined) as unknown };
    },
    search: async (q) => (await answers.kb.search('acme', q)).hits.map((h) => h.title.toLowerCase()),
    events: (id) => openEvents(origin + route(consoleRoutes.connectorEvents, id)),
    close: async () => {
      await desk.scheduler.stop();
      await server.close();
      await new Promise((r) => sourceApi.close(r));
      await answers.close();
      await tenants.close();
    },
  };
}

export type ConnectorEvents = ReturnType<typeof openEvents>;

/** A server-sent event stream read as it arrives. */
function openEvents(url: string) {
  const events: { event: string; data: unknown }[] = [];
  let buffer = '';
  const waiters: { test: (e: { event: string }) => boolean; resolve: () => void }[] = [];
  const request = http.get(url, { headers: { ...bearer, accept: 'text/event-stream' } });
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  void opened.then((response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let at;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (!event || data === undefined) continue;
        const parsed = { event, data: JSON.parse(data) as unknown };
        events.push(parsed);
        for (const w of waiters.splice(0)) {
          if (w.test(parsed)) w.resolve();
          else waiters.push(w);
        }
      }
    });
  });
  return {
    events,
    opened,
    until: (name: string) =>
      events.some((e) => e.event === name)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ test: (e) => e.event === name, resolve })),
    close: () => request.destroy(),
  };
}

/** Files under `dir` whose bytes contain `text`. */
export function grepFiles(dir: string, text: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(text)) hits.push(file);
  }
  return hits;
}
