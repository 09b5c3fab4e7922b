import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeskSettings } from '../../core/contract/conversation.js';
import { createWidgetKey } from '../../core/desk/widget-keys.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';
import { ingestAbcd } from '../../scripts/bench/lib/abcd.js';

/**
 * Runs in a page before its scripts: the widget's shadow root is closed, and Playwright cannot look inside a
 * closed one, so tests open it (for the test only). A string: e2e/ is compiled without the DOM library.
 */
export const openShadowRoots = `const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: 'open' }); };`;

/** A customer's intranet page on its own origin (127.0.0.1, a free port) that serves whatever `html` is set to. */
export interface HostPage {
  origin: string;
  html: string;
  close(): Promise<void>;
}

/** Starts the host page first: its origin must be known before a widget key can allow it. */
export async function startHostPage(): Promise<HostPage> {
  const page = { html: '' };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page.html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get html() {
      return page.html;
    },
    set html(value: string) {
      page.html = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A data folder with tenant `acme` whose knowledge is the ABCD guidelines, all marked public (BM25 only), and a
 * widget key for `origin`; `settings` changes the desk's defaults (a new tenant drafts for agents).
 */
export async function abcdDeskHome(options: {
  prefix: string;
  origin: string;
  settings?: Partial<DeskSettings>;
}): Promise<{ home: string; key: string }> {
  const home = await mkdtemp(path.join(tmpdir(), options.prefix));
  const store = openSqliteStore(home);
  try {
    await store.tenants.create({ id: 'acme', name: 'Acme Retail' });
    const kb = new KnowledgeBase({ store, embedder: null });
    try {
      await ingestAbcd(kb, store, 'acme');
      for (const doc of await store.knowledge.listDocuments('acme', { limit: 1000 })) {
        await kb.setPublic('acme', doc.id, true);
      }
    } finally {
      await kb.close();
    }
    if (options.settings) await store.desk.updateSettings('acme', options.settings);
    const { key } = await createWidgetKey(store, 'acme', [options.origin]);
    return { home, key };
  } finally {
    await store.close();
  }
}
