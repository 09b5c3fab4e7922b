/**
 * `npm run bench:sync`: a Confluence sync end to end — the connector against the local fake Confluence (real
 * HTTP on 127.0.0.1), storage-format parsing, chunking, embedding, indexing, checkpoints — for 10,000 pages,
 * then an incremental sync after 100 edits. Prints pages/s and peak RSS and writes them to BENCHMARKS.md.
 * Options: --pages N (default 10000).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeConfluence } from '../../connectors/confluence/fake-confluence.testing.js';
import type { Embedder } from '../../core/contract/retrieval.js';
import {
  defaultEmbedderName,
  defaultModelDirs,
  loadEmbedder,
} from '../../core/knowledge/embedding/registry.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { openSecretStore } from '../../core/secrets/index.js';
import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';
import { addConnector, runSync } from '../../core/sync/index.js';
import type { SyncRun } from '../../core/contract/connector.js';
import { table, writeSection } from './lib/benchmarks-md.js';
import { machineLine, peakRssMb, today } from './lib/machine.js';

const args = process.argv.slice(2);
const pages = Number(args[args.indexOf('--pages') + 1]) || 10_000;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-bench-sync-'));
const data = path.join(home, 'data');
const store = openSqliteStore(data);
await store.tenants.create({ id: 'bench' });
let embedder: Embedder | null = null;
try {
  embedder = await loadEmbedder(defaultEmbedderName, defaultModelDirs(data));
} catch (error) {
  console.error(`bench: ${(error as Error).message}; syncing without vectors`);
}
const kb = new KnowledgeBase({ store, embedder });
const secrets = await openSecretStore(data, { prefer: 'encrypted-file' });

console.error(`bench: starting the fake Confluence with ${pages} pages`);
const confluence = await startFakeConfluence({ pages });
const connector = await addConnector({
  store,
  secrets,
  tenant: 'bench',
  kind: 'confluence',
  file: {
    name: 'wiki',
    settings: {
      baseUrl: confluence.url,
      spaces: [...confluence.spaces.keys()],
      token: { env: 'BENCH_TOKEN' },
    },
  },
  env: { BENCH_TOKEN: confluence.token },
  signal: AbortSignal.timeout(30_000),
});

async function timedSync(label: string): Promise<{ run: SyncRun; seconds: number; pages: number }> {
  const started = performance.now();
  let lastLine = 0;
  let pagesLoaded = 0;
  const run = await runSync({
    kb,
    store,
    secrets,
    tenant: 'bench',
    connectorId: connector.id,
    signal: AbortSignal.timeout(3 * 60 * 60 * 1000),
    onProgress: (p) => {
      pagesLoaded = p.documents;
      if (performance.now() - lastLine > 10_000) {
        lastLine = performance.now();
        console.error(`bench: ${label}: ${p.documents} documents, ${p.added} added, ${p.updated} updated`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 'succeeded') throw new Error(`bench: ${label} sync ${run.status}: ${run.error ?? ''}`);
  return { run, seconds, pages: pagesLoaded };
}

const full = await timedSync('full');
const chunks = await (await kb.indexFor('bench')).countChunks();
const edited = [...confluence.pages.keys()].slice(0, 100);
for (const id of edited)
  confluence.editPage(id, { body: `<h1>Edited</h1><p>Changed content for page ${id}.</p>` });
const incremental = await timedSync('incremental');

const rows = [
  [
    'full',
    full.pages,
    full.run.added,
    chunks,
    full.seconds.toFixed(1),
    (full.pages / full.seconds).toFixed(1),
    full.run.failures.length,
  ],
  [
    'incremental (100 edited)',
    incremental.pages,
    incremental.run.updated,
    '',
    incremental.seconds.toFixed(1),
    (incremental.pages / incremental.seconds).toFixed(1),
    incremental.run.failures.length,
  ],
];
const body = [
  `Machine: ${machineLine()}. Date: ${today()}.`,
  `Confluence connector against the local fake Confluence (HTTP on 127.0.0.1), ${pages} generated pages with ` +
    `headings, macros, tables and page trees; ${embedder ? `embedder ${embedder.modelId}` : 'no embedder (BM25 only)'}; ` +
    'pages are parsed, chunked, embedded and indexed, with a checkpoint saved after each page of results.',
  table(
    ['sync', 'pages read', 'added / updated', 'chunks', 'seconds', 'pages/s end to end', 'failures'],
    rows,
  ),
  `Peak RSS: ${peakRssMb().toFixed(0)} MB.`,
].join('\n\n');
console.log(body);
writeSection('Connector sync (`npm run bench:sync`)', body);
await confluence.close();
await kb.close();
await store.close();
fs.rmSync(home, { recursive: true, force: true });
